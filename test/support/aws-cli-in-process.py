# The AWS CLI's own code, driven in ONE Python process: for each request (a JSON line on stdin:
# {"home", "profile", "at", "input"}) it points the environment at that request's HOME and AWS
# files, builds a fresh botocore session from the CLI's own botocore as the CLI does for
# `--profile P` (session.set_config_variable('profile', P)), and runs the CLI's
# `codecommit credential-helper get` command class on the request with the clock frozen at "at"
# (the command reads the clock once, through datetime.datetime.utcnow()). It answers one JSON
# line {"rc", "stdout", "stderr", "credentials"}: rc 0 with what the command printed and the
# credentials it signed with, or 255 and the error the CLI would have reported.
# Run it with the CLI's own interpreter (the shebang of /usr/bin/aws), which finds the Debian
# package's awscli (and the botocore inside it). Starting the CLI once instead of 500 times turns
# minutes into seconds; test/file-oracle.test.ts checks on a sample that /usr/bin/aws, run under
# faketime, answers exactly as this does.
import argparse
import datetime
import io
import json
import os
import sys

import awscli  # noqa: F401  (sets AWS_DATA_PATH to the CLI's own models, as /usr/bin/aws does)
import awscli.customizations.codecommit as codecommit
import botocore.session

_real_datetime = datetime.datetime


class _FrozenDatetime(_real_datetime):
    frozen = None

    @classmethod
    def utcnow(cls):
        return cls.frozen


class _FrozenModule:
    datetime = _FrozenDatetime


codecommit.datetime = _FrozenModule

# Every AWS_* variable goes but the CLI's own model path.
BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith('AWS_') or k == 'AWS_DATA_PATH'}
ARGS = argparse.Namespace(ignore_host_check=False)
GLOBALS = argparse.Namespace(region=None)


def run(request):
    session = botocore.session.Session()
    session.set_config_variable('profile', request['profile'])
    # What the CLI does first with a profile it was given: look it up (ProfileNotFound).
    session.get_scoped_config()
    command = codecommit.CodeCommitGetCommand(session)
    return command._run_main(ARGS, GLOBALS), session


answers = sys.stdout
for line in sys.stdin:
    request = json.loads(line)
    _FrozenDatetime.frozen = _real_datetime.strptime(request['at'], '%Y-%m-%dT%H:%M:%S')
    home = request['home']
    os.environ.clear()
    os.environ.update(BASE_ENV)
    os.environ.update({
        'HOME': home,
        'AWS_SHARED_CREDENTIALS_FILE': os.path.join(home, 'credentials'),
        'AWS_CONFIG_FILE': os.path.join(home, 'config'),
        'AWS_EC2_METADATA_DISABLED': 'true',
    })
    out = io.StringIO()
    sys.stdin, sys.stdout = io.StringIO(request['input']), out
    used = None
    try:
        rc, session = run(request)
        err = ''
        # What it signed with, so the test can tell an answer git cannot use (an empty secret, a
        # line break inside one) from a good one; never printed by the test.
        c = session.get_credentials().get_frozen_credentials()
        used = {'access_key': c.access_key, 'secret_key': c.secret_key, 'token': c.token}
    except Exception as e:  # the CLI prints the error and exits 255
        rc, err = 255, '%s: %s' % (type(e).__name__, e)
    finally:
        sys.stdin, sys.stdout = sys.__stdin__, answers
    answers.write(json.dumps({'rc': rc, 'stdout': out.getvalue() if rc == 0 else '', 'stderr': err, 'credentials': used}) + '\n')
    answers.flush()
