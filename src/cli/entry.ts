/**
 * The `envid` executable. `envid idp token` with well-formed flags runs without commander: code in an
 * environment calls it often and it must start fast (issue 4: at most 1.6x bare node's start-up); so does
 * `envid idp kubernetes-credential`, which kubectl runs on every call (at most 1.2x from its cache).
 * Everything else, and every malformed or --help invocation of it, goes through the full CLI in main.ts.
 */
import { availableParallelism } from 'node:os';
import { runKubernetesCredential } from '../relying-parties/kubernetes/exec-credential.ts';
import { parseKubernetesCredentialArgsFast } from './idp/kubernetes-credential-fast.ts';
import { loginContext } from './idp/login-context.ts';
import { parseTokenArgsFast, runTokenCommand } from './idp/token-command.ts';
import { reportError } from './report-error.ts';
import { threadPoolSizeFor } from './thread-pool-size.ts';

// `envid … | head` closes the pipe early: that ends the output, it is no error to report.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const args = process.argv.slice(2);
const fast = args[0] === 'idp' && args[1] === 'token' ? parseTokenArgsFast(args.slice(2)) : undefined;
// kubectl runs its exec plugin on every invocation: it takes the same shortcut (bin/envid.js has already
// tried its cache: dist/kubernetes-credential.cjs).
const kubernetesCredential =
  args[0] === 'idp' && args[1] === 'kubernetes-credential'
    ? parseKubernetesCredentialArgsFast(args.slice(2))
    : undefined;
if (fast) {
  runTokenCommand(fast).catch((error: unknown) => {
    process.exitCode = reportError(error);
  });
} else if (kubernetesCredential) {
  runKubernetesCredential(kubernetesCredential, loginContext(kubernetesCredential)).catch(
    (error: unknown) => {
      process.exitCode = reportError(error);
    },
  );
} else {
  if (args[0] === 'serve') {
    // libuv reads it when its pool first runs, which is later: loading main.js is its first work.
    const size = threadPoolSizeFor(process.env, availableParallelism());
    if (size) process.env['UV_THREADPOOL_SIZE'] = size;
  }
  void import('./main.ts');
}
