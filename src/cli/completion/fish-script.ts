// `cc-helper completion fish`: `complete` rules for fish 3. Commands (with their summaries),
// actions and options are written into the script from the CLI's definitions
// (completion-model.ts); profile names are read when asked for, by `cc-helper completion
// --profiles`. fish matches the typed (unquoted) token and escapes what it inserts; a name's
// text is never evaluated. (A tab inside a name would start fish's description: fish's limit.)
import type { CompletionModel, OptionWords, ValueKind } from './completion-model.js';

/** A fish single-quoted word (only \ and ' are special inside). */
function quote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** The `-a` candidates for a value or argument of this kind ('' for anything: no candidates). */
function candidates(kind: ValueKind, commands: string): string {
  switch (kind.kind) {
    case 'profile':
      return "-a '(__cc_helper_profiles)'";
    case 'directory':
      return "-a '(__fish_complete_directories)'";
    case 'choice':
      return `-a ${quote(kind.words.join(' '))}`;
    case 'command':
      return `-a ${quote(commands)}`;
    case 'any':
      return '';
  }
}

function optionRules(condition: string, words: OptionWords, commands: string): string[] {
  const rules = words.valued.map((o) => `complete -c cc-helper -n ${quote(condition)} -l ${o.name} -x ${candidates(o.value, commands)}`.trimEnd());
  for (const name of words.flags) {
    const short = name === 'help' ? ' -s h' : name === 'version' ? ' -s v' : '';
    rules.push(`complete -c cc-helper -n ${quote(condition)}${short} -l ${name}`);
  }
  return rules;
}

export function fishScript(model: CompletionModel, version: string): string {
  const commands = model.commands.map((c) => c.name).join(' ');
  const valued = [...new Set([...model.before.valued, ...model.commands.flatMap((c) => [...c.valued, ...(c.actions ?? []).flatMap((a) => a.valued)])].map((o) => `--${o.name}`))];
  const withActions = model.commands.filter((c) => c.actions).map((c) => c.name);
  const rules: string[] = [
    "complete -c cc-helper -f",
    ...model.commands.map((c) => `complete -c cc-helper -n '__cc_helper_at "" ""' -a ${c.name} -d ${quote(c.summary)}`),
    ...optionRules('__cc_helper_at "" ""', model.before, commands),
  ];
  for (const command of model.commands) {
    const at = `__cc_helper_at ${command.name} ""`;
    if (command.actions) {
      rules.push(`complete -c cc-helper -n ${quote(at)} -a ${quote(command.actions.map((a) => a.name).join(' '))}`);
      for (const action of command.actions) {
        const here = `__cc_helper_at ${command.name} ${action.name}`;
        rules.push(...optionRules(here, action, commands));
        if (action.argument && action.argument.kind !== 'any') rules.push(`complete -c cc-helper -n ${quote(`${here}; and __cc_helper_no_argument`)} ${candidates(action.argument, commands)}`);
      }
    } else {
      rules.push(...optionRules(at, command, commands));
      if (command.argument && command.argument.kind !== 'any') rules.push(`complete -c cc-helper -n ${quote(`${at}; and __cc_helper_no_argument`)} ${candidates(command.argument, commands)}`);
    }
  }

  return `# cc-helper ${version} completion for fish: commands, options and AWS profile names.
# Load it with:   cc-helper completion fish > ~/.config/fish/completions/cc-helper.fish
# Made from cc-helper's own command definitions: run it again after an upgrade.

set -g __cc_helper_valued ${valued.join(' ')}
set -g __cc_helper_with_actions ${withActions.join(' ')}

# The command line so far as "COMMAND ACTION ARGUMENTS": options and their values skipped.
function __cc_helper_state
    set -l words (commandline -opc)
    set -e words[1]
    set -l command ''
    set -l action ''
    set -l argc 0
    set -l skip 0
    for word in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case '--*=*'
            case '-*'
                contains -- $word $__cc_helper_valued; and set skip 1
            case '*'
                if test -z "$command"
                    set command $word
                else if test -z "$action"; and contains -- $command $__cc_helper_with_actions
                    set action $word
                else
                    set argc (math $argc + 1)
                end
        end
    end
    printf '%s\\n' $command $action $argc
end

function __cc_helper_at --argument-names command action
    set -l state (__cc_helper_state)
    test "$state[1]" = "$command"; and test "$state[2]" = "$action"
end

function __cc_helper_no_argument
    set -l state (__cc_helper_state)
    test "$state[3]" = 0
end

function __cc_helper_profiles
    set -l words (commandline -opc)
    $words[1] completion --profiles 2>/dev/null
end

${rules.join('\n')}
`;
}
