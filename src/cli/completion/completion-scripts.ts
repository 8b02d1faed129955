import { shellQuote } from '../../shared/shell-quote.ts';
import type { CompletionTree } from './completion-tree.ts';

export const completionShells = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof completionShells)[number];

/**
 * A completion script with the command tree written into it: completing reads no file and runs no envid
 * process. Each shell walks the words typed so far, keeps those that name a deeper command (skipping
 * flags and their values), and offers what may follow that command.
 */
export function completionScript(shell: CompletionShell, tree: CompletionTree): string {
  switch (shell) {
    case 'bash':
      return bashScript(tree);
    case 'zsh':
      return zshScript(tree);
    case 'fish':
      return fishScript(tree);
  }
}

const entries = (tree: CompletionTree) =>
  [...tree].map(([path, words]) => `  [${shellQuote(path)}]=${shellQuote(words.join(' '))}`).join('\n');

function bashScript(tree: CompletionTree): string {
  return `# envid completion for bash: source it, e.g. in ~/.bashrc:  source <(envid completion bash)
declare -gA _envid_tree=(
${entries(tree)}
)
_envid() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path=envid word next i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ $word == -* ]] && continue
    next="$path $word"
    [[ -n "\${_envid_tree[$next]+set}" ]] && path="$next"
  done
  COMPREPLY=($(compgen -W "\${_envid_tree[$path]}" -- "$cur"))
}
complete -F _envid envid
`;
}

function zshScript(tree: CompletionTree): string {
  return `#compdef envid
# envid completion for zsh: save it as _envid in a directory of $fpath, or source it after compinit:
#   source <(envid completion zsh)
typeset -gA _envid_tree
_envid_tree=(
${[...tree].map(([path, words]) => `  ${shellQuote(path)} ${shellQuote(words.join(' '))}`).join('\n')}
)
_envid() {
  # Not "path": in zsh that is tied to $PATH.
  local command_path=envid word next i
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    [[ $word == -* ]] && continue
    next="$command_path $word"
    (( \${+_envid_tree[$next]} )) && command_path="$next"
  done
  local -a candidates
  candidates=(\${=_envid_tree[$command_path]})
  compadd -- $candidates
}
compdef _envid envid
`;
}

function fishScript(tree: CompletionTree): string {
  const cases = [...tree]
    .map(
      ([path, words]) =>
        `    case ${shellQuote(path)}\n      printf '%s\\n' ${words.map(shellQuote).join(' ')}`,
    )
    .join('\n');
  return `# envid completion for fish: save it as ~/.config/fish/completions/envid.fish, or:
#   envid completion fish | source
function __envid_command_path
  set -l tokens (commandline -opc)
  set -l command_path envid
  for word in $tokens[2..-1]
    string match -q -- '-*' $word; and continue
    set -l next "$command_path $word"
    contains -- $next $__envid_paths; and set command_path $next
  end
  echo $command_path
end
set -g __envid_paths ${[...tree.keys()]
    .filter((path) => path !== '')
    .map(shellQuote)
    .join(' ')}
function __envid_candidates
  switch (__envid_command_path)
${cases}
  end
end
complete -c envid -f -a '(__envid_candidates)'
`;
}
