// `cc-helper completion bash`: a completion function for bash 3.2 (macOS's) and later. Commands,
// actions and options are written into the script from the CLI's definitions (completion-model.ts);
// profile names are read when asked for, by `cc-helper completion --profiles`.
//
// Profile names come from the user's files, so they are data to bash, never code: they are
// matched with [[ == ]] on a quoted prefix and quoted with printf %q (`compgen -W` would expand
// `$(...)` inside a name). The word being completed arrives as typed; it is unquoted here (a
// leading ' or ", backslash escapes) before it is compared, and the names go back backslash-escaped
// (or as they are, inside an open quote, where readline adds nothing).
import type { CompletionModel } from './completion-model.js';
import { dispatchTables, wordWalk, type ShellSyntax } from './shell-tables.js';

const BASH: ShellSyntax = {
  list: (words) => `'${words}'`,
  emptyList: '',
  kindVariable: '_cc_helper_kind',
  loop: 'for ((i = 1; i < COMP_CWORD; i++)); do',
  wordAt: '\${COMP_WORDS[i]}',
  skipValue: '[[ $word == = ]] || expect=',
  hasActions: '[[ -n $actions ]]',
};

export function bashScript(model: CompletionModel, version: string): string {
  const commands = model.commands.map((c) => c.name);
  return `# cc-helper ${version} completion for bash: commands, options and AWS profile names.
# Load it from ~/.bashrc with:   eval "$(cc-helper completion bash)"
# or save it once (bash-completion loads it on first use):
#   cc-helper completion bash > ~/.local/share/bash-completion/completions/cc-helper
# Made from cc-helper's own command definitions: run it again after an upgrade.

${dispatchTables(model, BASH)}

# The word being completed, unquoted: sets _cc_helper_quote (an opening ' or ", else empty) and
# _cc_helper_text.
_cc_helper_unquote() {
  local word=$1 text= i c
  _cc_helper_quote=
  case $word in
    \\'* | \\"*) _cc_helper_quote=\${word:0:1} word=\${word:1} ;;
  esac
  if [[ $_cc_helper_quote == "'" ]]; then
    _cc_helper_text=$word
    return
  fi
  for ((i = 0; i < \${#word}; i++)); do
    c=\${word:i:1}
    if [[ $c == '\\' ]] && ((i + 1 < \${#word})); then
      i=$((i + 1))
      c=\${word:i:1}
    fi
    text+=$c
  done
  _cc_helper_text=$text
}

# Adds each line of stdin that starts with the unquoted word to COMPREPLY, quoted for the line.
_cc_helper_add() {
  local candidate quoted
  while IFS= read -r candidate; do
    [[ -n $candidate && $candidate == "$_cc_helper_text"* ]] || continue
    if [[ -n $_cc_helper_quote ]]; then
      COMPREPLY+=("$candidate")
    else
      printf -v quoted '%q' "$candidate"
      COMPREPLY+=("$_cc_helper_prefix$quoted")
    fi
  done
}

# Completes "$2" as a value of kind $1 (profile, directory, command, choice WORDS..., any).
_cc_helper_complete() {
  local kind=$1 word=$2
  _cc_helper_unquote "$word"
  case $kind in
    profile) _cc_helper_add < <("$_cc_helper_command" completion --profiles 2>/dev/null) ;;
    directory)
      # bash 4+: readline quotes the folders as file names (and adds the /); else printf %q.
      if [[ -z $_cc_helper_prefix ]] && compopt -o filenames 2>/dev/null; then
        local IFS=$'\n'
        COMPREPLY=($(compgen -d -- "$_cc_helper_text"))
      else
        _cc_helper_add < <(compgen -d -- "$_cc_helper_text")
      fi
      ;;
    command) _cc_helper_add < <(printf '%s\\n' ${commands.join(' ')}) ;;
    choice\\ *) _cc_helper_add < <(printf '%s\\n' \${kind#choice }) ;;
  esac
}

_cc_helper() {
  local IFS=$' \\t\\n' cur=\${COMP_WORDS[COMP_CWORD]} prev= word command= action= argc=0 expect= i
  local options actions argument _cc_helper_kind _cc_helper_quote _cc_helper_text _cc_helper_prefix=
  local _cc_helper_command=\${COMP_WORDS[0]}
  COMPREPLY=()
  ((COMP_CWORD > 0)) && prev=\${COMP_WORDS[COMP_CWORD - 1]}
  # --name=value: with = in COMP_WORDBREAKS (the default) bash splits it into --name, =, value.
  if [[ $cur == = ]] && _cc_helper_value_kind "$prev"; then
    _cc_helper_complete "$_cc_helper_kind" ''
    return 0
  fi
  if [[ $prev == = ]] && ((COMP_CWORD > 1)) && _cc_helper_value_kind "\${COMP_WORDS[COMP_CWORD - 2]}"; then
    _cc_helper_complete "$_cc_helper_kind" "$cur"
    return 0
  fi
  if [[ $cur == --*=* ]] && _cc_helper_value_kind "\${cur%%=*}"; then
    _cc_helper_prefix=\${cur%%=*}=
    _cc_helper_complete "$_cc_helper_kind" "\${cur#*=}"
    return 0
  fi
${wordWalk(BASH)}
  if [[ -n $expect ]]; then
    _cc_helper_value_kind "$prev" && _cc_helper_complete "$_cc_helper_kind" "$cur"
    return 0
  fi
  _cc_helper_spec "$command" "$action"
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  elif [[ -z $command ]]; then
    COMPREPLY=($(compgen -W "${commands.join(' ')}" -- "$cur"))
  elif [[ -n $actions ]]; then
    COMPREPLY=($(compgen -W "$actions" -- "$cur"))
  elif [[ -n $argument && $argc == 0 ]]; then
    _cc_helper_complete "$argument" "$cur"
  fi
  return 0
}

complete -F _cc_helper cc-helper
`;
}
