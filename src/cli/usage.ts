// The --help text, loaded only when asked for: it gathers every command's usage.
import { ASKPASS_USAGE } from './askpass-command.js';
import { DOCTOR_USAGE } from './doctor-command.js';
import { MIGRATE_USAGE } from './migrate-command.js';
import { SESSION_USAGE } from './session-command.js';
import { SETUP_USAGE } from './setup-command.js';
import { VAULT_USAGE } from './vault-command.js';

export const USAGE = `usage: cc-helper <command> [options]

git credential helper (git runs these):
  cc-helper [--profile NAME | --credentials ambient] [--account ID] get|store|erase
      get: sign a CodeCommit password for the named profile (stdin/stdout: git's protocol)
      store, erase: accepted and ignored (nothing is ever stored)

setting up git:
${SETUP_USAGE}
coming from git-remote-codecommit (this package also ships a drop-in git-remote-codecommit):
${MIGRATE_USAGE}
checking a setup:
${DOCTOR_USAGE}
vault and sessions:
${VAULT_USAGE}${SESSION_USAGE}
asking without a terminal (IDEs, GUI clients):
${ASKPASS_USAGE}
options:
  --profile NAME     the AWS named profile that signs (else AWS_PROFILE; never [default])
  --allow-default    allow the profile named "default" (it may be a canary: off by default)
  --account ID       refuse to sign unless the profile's credentials belong to this account
  --credentials ambient
                     CI and cloud workloads: sign with the machine's own credentials (environment
                     keys, web identity, container, EKS Pod Identity, IMDSv2), never the shared
                     files; needs --account
  --debug            trace to stderr (or CC_HELPER_DEBUG=1); never prints secrets
  --help, --version

environment: AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_IAM,
  CC_HELPER_DEBUG, CC_HELPER_VAULT_PASSPHRASE, CC_HELPER_VAULT_FILE, CC_HELPER_MFA_COMMAND,
  CC_HELPER_CONFIG_DIR, GIT_ASKPASS, GIT_TERMINAL_PROMPT,
  HTTPS_PROXY, NO_PROXY, AWS_CA_BUNDLE (or the profile's ca_bundle), NODE_EXTRA_CA_CERTS
`;
