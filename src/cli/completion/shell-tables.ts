// What the bash and zsh scripts share: the tables they dispatch on (`_cc_helper_spec`: what a
// command and action take; `_cc_helper_value_kind`: what an option's value is) and the walk over
// the words typed so far that finds the command, the action and the argument count. Both shells
// take the same case statements and [[ ]] tests; only these few spellings differ.
import { valuedOptions, type CompletionModel, type OptionWords, type ValueKind } from './completion-model.js';

export interface ShellSyntax {
  /** A word list as the script's variables hold it: bash a string ('a b'), zsh an array ((a b)). */
  list: (words: string) => string;
  /** The same, empty. */
  emptyList: string;
  /** The variable `_cc_helper_value_kind` sets. */
  kindVariable: string;
  /** The loop over the words before the cursor, and the word at `i`. */
  loop: string;
  wordAt: string;
  /** After a valued option, the line that skips its value (bash also sees a lone `=`). */
  skipValue: string;
  /** The test that the command has actions. */
  hasActions: string;
}

function kindWord(kind: ValueKind): string {
  return kind.kind === 'choice' ? `choice ${kind.words.join(' ')}` : kind.kind;
}

function optionList(words: OptionWords): string {
  return [...words.valued.map((o) => `--${o.name}`), ...words.flags.map((f) => `--${f}`)].join(' ');
}

/** `_cc_helper_spec` and `_cc_helper_value_kind`, with their comments. */
export function dispatchTables(model: CompletionModel, syntax: ShellSyntax): string {
  const { list } = syntax;
  const argumentOf = (kind: ValueKind | undefined) => (kind ? ` argument='${kindWord(kind)}'` : '');
  const cases: string[] = [`    /) options=${list(optionList(model.before))} ;;`];
  for (const command of model.commands) {
    if (command.actions) {
      // Before the action: every action's options are taken (the parser accepts them anywhere).
      const union: OptionWords = {
        valued: command.actions.flatMap((a) => a.valued),
        flags: [...new Set(command.actions.flatMap((a) => a.flags))],
      };
      const options = [...new Set(optionList(union).split(' '))].join(' ');
      cases.push(`    ${command.name}/) options=${list(options)} actions=${list(command.actions.map((a) => a.name).join(' '))} ;;`);
      for (const action of command.actions) cases.push(`    ${command.name}/${action.name}) options=${list(optionList(action))}${argumentOf(action.argument)} ;;`);
    } else {
      cases.push(`    ${command.name}/) options=${list(optionList(command))}${argumentOf(command.argument)} ;;`);
    }
  }
  const values = [...valuedOptions(model)].map(([name, kind]) => `    --${name}) ${syntax.kindVariable}='${kindWord(kind)}' ;;`);
  return `# What the command (and action) takes: sets options, actions and argument.
_cc_helper_spec() {
  options=${syntax.emptyList} actions=${syntax.emptyList} argument=
  case $1/$2 in
${cases.join('\n')}
  esac
}

# Whether $1 is an option that takes a value; sets ${syntax.kindVariable} to what the value is.
_cc_helper_value_kind() {
  case $1 in
${values.join('\n')}
    *) return 1 ;;
  esac
}`;
}

/** The loop in `_cc_helper` that sets command, action, argc, and expect (a value is due). */
export function wordWalk(syntax: ShellSyntax): string {
  return `  ${syntax.loop}
    word=${syntax.wordAt}
    if [[ -n $expect ]]; then
      ${syntax.skipValue}
      continue
    fi
    case $word in
      --*=*) ;;
      -*) _cc_helper_value_kind "$word" && expect=1 ;;
      *)
        if [[ -z $command ]]; then
          command=$word
        elif [[ -z $action ]] && _cc_helper_spec "$command" '' && ${syntax.hasActions}; then
          action=$word
        else
          argc=$((argc + 1))
        fi
        ;;
    esac
  done`;
}
