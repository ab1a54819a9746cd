// `cc-helper completion zsh`: a completion function for zsh's completion system (compinit).
// Commands (with their summaries), actions and options are written into the script from the
// CLI's definitions (completion-model.ts); profile names are read when asked for, by
// `cc-helper completion --profiles`. compadd matches the typed (unquoted) prefix and quotes what
// it inserts, so names with spaces or quotes need nothing here; they are never evaluated.
import type { CompletionModel } from './completion-model.js';
import { dispatchTables, wordWalk, type ShellSyntax } from './shell-tables.js';

/** A zsh single-quoted word. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

const ZSH: ShellSyntax = {
  list: (words) => `(${words})`,
  emptyList: '()',
  kindVariable: 'kind',
  loop: 'for ((i = 2; i < CURRENT; i++)); do',
  wordAt: '\${words[i]}',
  skipValue: 'expect=',
  hasActions: '(( \${#actions} ))',
};

export function zshScript(model: CompletionModel, version: string): string {
  // _describe's NAME:DESCRIPTION, with the description's own colons escaped.
  const described = model.commands.map((c) => quote(`${c.name}:${c.summary.replace(/:/g, '\\:')}`)).join(' \\\n    ');

  return `#compdef cc-helper
# cc-helper ${version} completion for zsh: commands, options and AWS profile names.
# Load it from ~/.zshrc, after compinit, with:   eval "$(cc-helper completion zsh)"
# or save it as _cc_helper in a folder on $fpath (before compinit runs).
# Made from cc-helper's own command definitions: run it again after an upgrade.

${dispatchTables(model, ZSH)}

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
${wordWalk(ZSH)}
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
