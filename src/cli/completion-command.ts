// `cc-helper completion bash|zsh|fish`: prints a shell completion script made from the CLI's own
// command definitions; `cc-helper completion --profiles` is what those scripts run to complete a
// profile name (names only, one a line, from the files the AWS CLI reads).
import { flag, type CommandSpec } from './args.js';
import type { CliCommand, CommandTable } from './command.js';
import { UsageError } from '../support/errors.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const spec: CommandSpec = {
  name: 'completion',
  summary: 'print a shell completion script (bash, zsh, fish): commands, options, profile names',
  flags: ['profiles'],
  args: { min: 0, max: 1, label: 'one shell (bash, zsh or fish)' },
  usage: `usage: cc-helper completion bash|zsh|fish
       cc-helper completion --profiles

Prints a completion script for the shell: it completes commands, actions, options, and AWS
profile names after --profile, --source-profile and where a command takes a PROFILE.

  bash   add to ~/.bashrc:   eval "$(cc-helper completion bash)"
         (or save it as ~/.local/share/bash-completion/completions/cc-helper)
  zsh    add to ~/.zshrc, after compinit:   eval "$(cc-helper completion zsh)"
         (or save it as _cc_helper in a folder on $fpath)
  fish   cc-helper completion fish > ~/.config/fish/completions/cc-helper.fish

The commands and options are written into the script: print it again after an upgrade (the eval
lines do that in every new shell).

options:
  --profiles   the profile names the AWS CLI sees, one a line (what the scripts run): every section
               of the credentials file and the config file's [profile NAME] and [default], from
               AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE; names only, never a value

examples:
  eval "$(cc-helper completion bash)"
  cc-helper completion fish > ~/.config/fish/completions/cc-helper.fish
  cc-helper completion --profiles

exit status: 0 done; 2 bad usage
`,
};

export const command: CliCommand = {
  spec,
  async run(parsed, { stdout, env, commands }) {
    const [shell] = parsed.rest;
    if (flag(parsed, 'profiles')) {
      if (shell !== undefined) throw new UsageError('completion --profiles takes no shell: see `cc-helper help completion`');
      const { listProfileNames } = await import('../aws-files/profile-names.js');
      // A file the AWS CLI would refuse adds no names; completion stays quiet about it.
      const { names } = listProfileNames(env);
      stdout(names.map((name) => `${name}\n`).join(''));
      return 0;
    }
    if (shell === undefined) throw new UsageError('completion needs a shell: bash, zsh or fish (see `cc-helper help completion`)');
    if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`completion: unknown shell "${shell.slice(0, 20)}": use bash, zsh or fish`);
    stdout(await completionScript(shell as Shell, commands));
    return 0;
  },
};

async function completionScript(shell: Shell, table: CommandTable): Promise<string> {
  const [{ completionModel }, { readFileSync }] = await Promise.all([import('./completion/completion-model.js'), import('node:fs')]);
  const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const commands = await Promise.all(Object.entries(table).map(async ([name, load]) => ({ name, spec: (await load()).command.spec })));
  const helper = commands.find((c) => c.name === 'get')!.spec;
  const model = completionModel(commands, helper);
  switch (shell) {
    case 'bash':
      return (await import('./completion/bash-script.js')).bashScript(model, version);
    case 'zsh':
      return (await import('./completion/zsh-script.js')).zshScript(model, version);
    case 'fish':
      return (await import('./completion/fish-script.js')).fishScript(model, version);
  }
}
