// `cc-helper completion zsh`: a completion function for zsh's completion system (compinit).
// Commands (with their summaries), actions and options are written into the script from the
// CLI's definitions (completion-model.ts); profile names are read when asked for, by
// `cc-helper completion --profiles`. compadd matches the typed (unquoted) prefix and quotes what
// it inserts, so names with spaces or quotes need nothing here; they are never evaluated.
import type { CompletionModel, OptionWords, ValueKind } from './completion-model.js';
import { valuedOptions } from './completion-model.js';

/** A zsh single-quoted word. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function kindWord(kind: ValueKind): string {
  return kind.kind === 'choice' ? `choice ${kind.words.join(' ')}` : kind.kind;
}

function optionList(words: OptionWords): string {
  return [...words.valued.map((o) => `--${o.name}`), ...words.flags.map((f) => `--${f}`)].join(' ');
}

export function zshScript(model: CompletionModel, version: string): string {
  const cases: string[] = [`    /) options=(${optionList(model.before)}) ;;`];
  for (const command of model.commands) {
    if (command.actions) {
      const union = [...new Set(command.actions.flatMap((a) => optionList(a).split(' ')))].join(' ');
      cases.push(`    ${command.name}/) options=(${union}) actions=(${command.actions.map((a) => a.name).join(' ')}) ;;`);
      for (const action of command.actions) {
        cases.push(`    ${command.name}/${action.name}) options=(${optionList(action)})${action.argument ? ` argument='${kindWord(action.argument)}'` : ''} ;;`);
      }
    } else {
      cases.push(`    ${command.name}/) options=(${optionList(command)})${command.argument ? ` argument='${kindWord(command.argument)}'` : ''} ;;`);
    }
  }
  const values = [...valuedOptions(model)].map(([name, kind]) => `    --${name}) kind='${kindWord(kind)}' ;;`);
  // _describe's NAME:DESCRIPTION, with the description's own colons escaped.
  const described = model.commands.map((c) => quote(`${c.name}:${c.summary.replace(/:/g, '\\:')}`)).join(' \\\n    ');

  return `#compdef cc-helper
# cc-helper ${version} completion for zsh: commands, options and AWS profile names.
# Load it from ~/.zshrc, after compinit, with:   eval "$(cc-helper completion zsh)"
# or save it as _cc_helper in a folder on $fpath (before compinit runs).
# Made from cc-helper's own command definitions: run it again after an upgrade.

# What the command (and action) takes: sets options, actions and argument.
_cc_helper_spec() {
  options=() actions=() argument=
  case $1/$2 in
${cases.join('\n')}
  esac
}

# Whether $1 is an option that takes a value; sets kind to what the value is.
_cc_helper_value_kind() {
  case $1 in
${values.join('\n')}
    *) return 1 ;;
  esac
}

# Offers values of kind $1 (profile, directory, command, choice WORDS..., any).
_cc_helper_values() {
  local -a found
  case $1 in
    profile)
      found=(\${(f)"$(\${words[1]} completion --profiles 2>/dev/null)"})
      found=(\${found:#})
      compadd -a found
      ;;
    directory) _files -/ ;;
    command)
      local -a described=(
    ${described}
      )
      _describe -t commands 'cc-helper command' described
      ;;
    choice\\ *) found=(\${=1#choice }); compadd -a found ;;
  esac
}

_cc_helper() {
  local -a options actions
  local argument kind word command= action= expect= argc=0
  local -i i
  for ((i = 2; i < CURRENT; i++)); do
    word=\${words[i]}
    if [[ -n $expect ]]; then
      expect=
      continue
    fi
    case $word in
      --*=*) ;;
      -*) _cc_helper_value_kind "$word" && expect=1 ;;
      *)
        if [[ -z $command ]]; then
          command=$word
        elif [[ -z $action ]] && _cc_helper_spec "$command" '' && (( \${#actions} )); then
          action=$word
        else
          argc=$((argc + 1))
        fi
        ;;
    esac
  done
  if [[ -n $expect ]]; then
    _cc_helper_value_kind "\${words[CURRENT - 1]}" && _cc_helper_values "$kind"
    return
  fi
  if [[ \${words[CURRENT]} == --*=* ]] && _cc_helper_value_kind "\${words[CURRENT]%%=*}"; then
    compset -P '*='
    _cc_helper_values "$kind"
    return
  fi
  _cc_helper_spec "$command" "$action"
  if [[ \${words[CURRENT]} == -* ]]; then
    compadd -a options
  elif [[ -z $command ]]; then
    _cc_helper_values command
  elif (( \${#actions} )); then
    compadd -a actions
  elif [[ -n $argument && $argc == 0 ]]; then
    _cc_helper_values "$argument"
  fi
}

if [[ $funcstack[1] == _cc_helper ]]; then
  # Loaded from $fpath: this file is the function's body.
  _cc_helper "$@"
else
  compdef _cc_helper cc-helper
fi
`;
}
