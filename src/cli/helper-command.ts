// `cc-helper [--profile NAME] get|store|erase`: the git credential helper, git's side of the
// tool. In the hot bundle; what `get` needs is imported only when it runs.
import { flag, lastOption, type CommandSpec } from './args.js';
import type { CliCommand } from './command.js';
import { oneLine } from '../support/errors.js';
import { redactText } from '../support/redact.js';

const spec: CommandSpec = {
  name: 'get|store|erase',
  summary: 'the git credential helper (git runs it): sign a CodeCommit password for one profile',
  valued: ['profile', 'account', 'credentials'],
  flags: ['allow-default'],
  usage: `usage: cc-helper [--profile NAME] [--account ID] [--allow-default] get|store|erase
       cc-helper --credentials ambient --account ID get|store|erase
       (also installed as git-credential-codecommit)

git runs it with the request on stdin (git's credential protocol):
  get           answer with a SigV4 password for CodeCommit hosts; nothing for other hosts
  store, erase  read and ignored: every password is computed fresh

options:
  --profile NAME   the AWS named profile that signs (else AWS_PROFILE; never [default])
  --account ID     refuse to sign unless the profile's credentials belong to this account
  --allow-default  allow the profile named "default" (it may be a canary: off by default)
  --credentials ambient
                   CI and cloud: the machine's own credentials (environment, web identity,
                   container, instance metadata), never the shared files; needs --account
  --debug          trace to stderr (or CC_HELPER_DEBUG=1); never prints secrets

example (what \`cc-helper setup\` writes for you):
  [credential "https://git-codecommit.*.amazonaws.com"]
      helper =
      helper = !f() { test \"$1\" = get && exec /usr/bin/node /usr/lib/node_modules/cc-helper/bin/cc-helper.js --profile CodeCommitProfile \"$@\"; while read -r _; do :; done; }; f
      useHttpPath = true
  printf 'protocol=https\\nhost=git-codecommit.eu-west-1.amazonaws.com\\npath=v1/repos/app\\n\\n' | cc-helper --profile CodeCommitProfile get

exit status: 0 (also when refusing: the answer is then quit=1 and one line on stderr); 2 bad usage;
  70 internal error
`,
};

export const command: CliCommand = {
  spec,
  async run(parsed, { env, now, trace }) {
    const { readCredentialBytes } = await import('../git/read-request.js');
    // Nothing is ever stored: store and erase read the request so git's write never meets a
    // closed pipe.
    if (parsed.command !== 'get') {
      await readCredentialBytes();
      return 0;
    }
    const [input, { answerGet }, { writeAnswer }] = await Promise.all([
      readCredentialBytes(),
      import('../helper/get.js'),
      import('../git/write-answer.js'),
    ]);
    trace('read the request from git');
    const answer = await answerGet({
      input,
      profileFlag: lastOption(parsed, 'profile'),
      allowDefault: flag(parsed, 'allow-default'),
      account: lastOption(parsed, 'account'),
      credentials: lastOption(parsed, 'credentials'),
      env,
      now,
      trace,
      warn: (line) => process.stderr.write(`cc-helper: ${redactText(oneLine(line))}\n`),
    });
    writeAnswer(answer);
    trace('answered');
    return 0;
  },
};
