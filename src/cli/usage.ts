// `cc-helper --help`: the overview, made from every command's spec; loaded only when asked for.
import type { CommandSpec } from './args.js';

export function overview(specs: readonly CommandSpec[]): string {
  const width = Math.max(...specs.map((s) => s.name.length), 'help [COMMAND]'.length);
  const line = (name: string, summary: string) => `  ${name.padEnd(width)}  ${summary}\n`;
  return (
    'usage: cc-helper <command> [options]\n\ncommands:\n' +
    specs.map((s) => line(s.name, s.summary)).join('') +
    line('help [COMMAND]', "this page, or a command's options, examples and exit status (also COMMAND --help)") +
    `
options every command takes:
  --help, -h         the command's help page
  --debug            trace to stderr (or CC_HELPER_DEBUG=1); never prints secrets
  cc-helper --version, -v

environment: AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_IAM,
  CC_HELPER_DEBUG, CC_HELPER_VAULT_PASSPHRASE, CC_HELPER_VAULT_FILE, CC_HELPER_MFA_COMMAND,
  CC_HELPER_CONFIG_DIR, CC_HELPER_MFA_SESSION_SECONDS, GIT_ASKPASS, GIT_TERMINAL_PROMPT,
  HTTPS_PROXY, NO_PROXY, AWS_CA_BUNDLE (or the profile's ca_bundle), NODE_EXTRA_CA_CERTS

exit status: 0 done; 1 failed (one line on stderr says why and what to do); 2 bad usage;
  70 internal error (a bug: please report it)
`
  );
}
