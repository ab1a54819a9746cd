# Which keys botocore finds for a profile: one JSON line a request on stdin, {"credentials",
# "config", "profile"} (the two file paths and the profile name), one JSON line an answer,
# {"access_key"} or {"error"} (the exception's class, as the AWS CLI would report it). botocore
# is the AWS CLI's reader, so this is the oracle for "does this section read back as that name".
# Run with any Python that has botocore: the pyenv one (botocore 1.43, the AWS CLI v1), or
# /usr/bin/python3, which finds the botocore inside Debian's awscli 2.9 once `awscli` is imported.
import json
import os
import sys

try:
    import awscli  # noqa: F401  (Debian's awscli: its own botocore and data path)
except ImportError:
    pass
import botocore.session

BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith('AWS_') or k == 'AWS_DATA_PATH'}

for line in sys.stdin:
    request = json.loads(line)
    os.environ.clear()
    os.environ.update(BASE_ENV)
    os.environ.update({
        'AWS_SHARED_CREDENTIALS_FILE': request['credentials'],
        'AWS_CONFIG_FILE': request['config'],
        'AWS_EC2_METADATA_DISABLED': 'true',
    })
    try:
        credentials = botocore.session.Session(profile=request['profile']).get_credentials()
        answer = {'access_key': credentials.access_key} if credentials else {'error': 'NoCredentials'}
    except Exception as e:
        answer = {'error': type(e).__name__}
    sys.stdout.write(json.dumps(answer) + '\n')
    sys.stdout.flush()
