# botocore 1.43 (the pyenv Python's) as the oracle for the sign-in caches, run by
# test/session-cli-interop.test.ts:
#   credentials PROFILE              -> {"access_key", "method", "account_id"}: what botocore signs with
#   write-login-cache SESSION        <- token JSON on stdin: saved as `aws login` saves it
#   write-sso-cache SESSION START    <- token JSON on stdin: saved as `aws sso login` saves it
# The writers are botocore's own JSONFileCache with the token loaders the AWS CLI uses
# (awscli vendors the same code: LoginCredentialsLoader / SSOTokenLoader over JSONFileCache).
#
# botocore's login provider needs awscrt's EC (P-256 keys) and this Python has no awscrt. So EC is
# provided by the few lines below on `cryptography`, with awscrt's interface as botocore calls
# it (new_key_from_der_data, get_public_coords, sign over a SHA-256 digest returning DER,
# decode_der_signature_to_padded_pair). Everything else (when to refresh, the DPoP proof's
# header and claims, the CreateOAuth2Token call, the write-back) is botocore's code.
import json
import sys

import botocore.compat
import botocore.credentials
import botocore.session
import botocore.tokens
import botocore.utils


def install_cryptography_ec():
    """awscrt's EC as botocore calls it, on `cryptography` (imported only for aws login)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

    class CryptographyEC:
        def __init__(self, key):
            self._key = key

        @staticmethod
        def new_key_from_der_data(der):
            try:
                key = serialization.load_der_private_key(der, password=None)
            except Exception as e:  # awscrt raises ValueError on a key it cannot read
                raise ValueError(str(e))
            if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != 'secp256r1':
                raise ValueError('not a P-256 key')
            return CryptographyEC(key)

        def get_public_coords(self):
            numbers = self._key.public_key().public_numbers()
            return numbers.x.to_bytes(32, 'big'), numbers.y.to_bytes(32, 'big')

        def sign(self, digest):
            return self._key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))

        @staticmethod
        def decode_der_signature_to_padded_pair(signature, pad_to):
            r, s = decode_dss_signature(signature)
            return r.to_bytes(pad_to, 'big') + s.to_bytes(pad_to, 'big')

    # credentials.py took its own reference to botocore.compat.EC at import: replace both.
    botocore.compat.EC = CryptographyEC
    botocore.credentials.EC = CryptographyEC


command = sys.argv[1]
if command == 'credentials':
    install_cryptography_ec()
    credentials = botocore.session.Session(profile=sys.argv[2]).get_credentials()
    frozen = credentials.get_frozen_credentials()
    print(json.dumps({'access_key': frozen.access_key, 'method': credentials.method, 'account_id': getattr(frozen, 'account_id', None)}))
elif command == 'write-login-cache':
    install_cryptography_ec()
    cache = botocore.utils.JSONFileCache(botocore.utils.get_login_token_cache_directory())
    botocore.utils.LoginTokenLoader(cache).save_token(sys.argv[2], json.load(sys.stdin))
elif command == 'write-sso-cache':
    cache = botocore.utils.JSONFileCache(botocore.tokens.SSOTokenProvider._SSO_TOKEN_CACHE_DIR, dumps_func=botocore.tokens._sso_json_dumps)
    botocore.utils.SSOTokenLoader(cache).save_token(sys.argv[3], json.load(sys.stdin), session_name=sys.argv[2])
else:
    sys.exit(f'unknown command {command}')
