import type { Command } from 'commander';
import { usageError } from '../exit-codes.ts';

/** `envid completion bash|zsh|fish`: prints a completion script for every command and flag. */
export function registerCompletionCommand(program: Command): void {
  program
    .command('completion <shell>')
    .summary('print a shell completion script: bash, zsh or fish')
    .description(
      'Prints a script that completes envid commands and flags in bash, zsh or fish. The command tree is ' +
        'written into the script, so print it again after upgrading envid.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  source <(envid completion bash)          # bash, e.g. in ~/.bashrc\n' +
        '  envid completion zsh > ~/.zfunc/_envid   # zsh, with fpath+=(~/.zfunc) before compinit\n' +
        '  envid completion fish > ~/.config/fish/completions/envid.fish\n',
    )
    .action(async (shell: string) => {
      const { completionScript, completionShells } = await import('../completion/completion-scripts.ts');
      const { buildCompletionTree } = await import('../completion/completion-tree.ts');
      const known = completionShells.find((name) => name === shell);
      if (!known) {
        throw usageError(`unknown shell ${JSON.stringify(shell)}: use one of ${completionShells.join(', ')}`);
      }
      process.stdout.write(completionScript(known, buildCompletionTree(program)));
    });
}
