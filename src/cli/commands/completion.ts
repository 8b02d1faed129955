import type { Command } from 'commander';
import { usageError } from '../../shared/exit-codes.ts';
import { formatExamples } from './help-examples.ts';

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
      formatExamples([
        'source <(envid completion bash)          # bash, e.g. in ~/.bashrc',
        'envid completion zsh > ~/.zfunc/_envid   # zsh, with fpath+=(~/.zfunc) before compinit',
        'envid completion fish > ~/.config/fish/completions/envid.fish',
      ]),
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
