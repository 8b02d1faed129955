// Issue 4's start-up figure: `envid idp token --audience X` end to end against a local server, against
// bare `node -e 0`, interleaved so that both see the same machine.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const envidBin = join(import.meta.dirname, '../bin/envid.js');
/** Loaded with --import in the memory runs only: writes the process's peak RSS (KiB) to stderr at exit. */
const maxRssReporter =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss="+process.resourceUsage().maxRSS+"\\n"))';

export interface CliStartupResult {
  runs: number;
  bareMedianMs: number;
  envidMedianMs: number;
  /** `envid idp kubernetes-credential` answering from its cache, as kubectl runs it on every call. */
  kubePluginMedianMs: number;
  /** Bare node's median in the runs interleaved with the plugin's. */
  pluginBareMedianMs: number;
  bareMaxRssKiB: number;
  envidMaxRssKiB: number;
}

interface Run {
  ms: number;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve({ ms, stdout, stderr });
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const maxRssOf = (run: Run) => Number(/maxrss=(\d+)/.exec(run.stderr)?.[1] ?? Number.NaN);

export async function measureCliStartup(options: {
  url: string;
  /** `Bearer <environment access token>`. */
  authorization: string;
  runs: number;
}): Promise<CliStartupResult> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ENVID_HOST: options.url,
    ENVID_TOKEN: options.authorization.replace(/^Bearer /, ''),
  };
  const bare = ['-e', '0'];
  const token = [envidBin, 'idp', 'token', '--audience', 'sts.amazonaws.com'];
  // One of each first, so the file system cache holds both before anything is timed.
  const check = await runNode(token, env);
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(check.stdout.trim())) {
    throw new Error(`envid idp token printed no JWT: ${check.stdout} ${check.stderr}`);
  }
  await runNode(bare, env);
  const bareMs: number[] = [];
  const envidMs: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    bareMs.push((await runNode(bare, env)).ms);
    envidMs.push((await runNode(token, env)).ms);
  }
  // The kubectl exec plugin: one run fills its cache (a cache directory of this run's own), then every
  // timed run answers from it, interleaved with bare node as above.
  const cacheHome = mkdtempSync(join(tmpdir(), 'envid-bench-kube-cache-'));
  const pluginEnv = { ...env, XDG_CACHE_HOME: cacheHome };
  const plugin = [envidBin, 'idp', 'kubernetes-credential', '--audience', 'kubernetes'];
  const pluginBareMs: number[] = [];
  const pluginMs: number[] = [];
  try {
    const filled = await runNode(plugin, pluginEnv);
    if (!filled.stdout.includes('"kind":"ExecCredential"')) {
      throw new Error(
        `envid idp kubernetes-credential printed no ExecCredential: ${filled.stdout} ${filled.stderr}`,
      );
    }
    for (let i = 0; i < options.runs; i++) {
      pluginBareMs.push((await runNode(bare, env)).ms);
      const run = await runNode(plugin, pluginEnv);
      if (run.stdout !== filled.stdout)
        throw new Error('the plugin answered another token than its cached one');
      pluginMs.push(run.ms);
    }
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
  const bareRss: number[] = [];
  const envidRss: number[] = [];
  for (let i = 0; i < 5; i++) {
    bareRss.push(maxRssOf(await runNode(['--import', maxRssReporter, ...bare], env)));
    envidRss.push(maxRssOf(await runNode(['--import', maxRssReporter, ...token], env)));
  }
  return {
    runs: options.runs,
    bareMedianMs: median(bareMs),
    envidMedianMs: median(envidMs),
    pluginBareMedianMs: median(pluginBareMs),
    kubePluginMedianMs: median(pluginMs),
    bareMaxRssKiB: median(bareRss),
    envidMaxRssKiB: median(envidRss),
  };
}
