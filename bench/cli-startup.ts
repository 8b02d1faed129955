// Issue 4's start-up figure: `envid idp token --audience X` end to end against a local server, against
// bare `node -e 0`, interleaved so that both see the same machine.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const envidBin = join(import.meta.dirname, '../bin/envid.js');
/** Loaded with --import in the memory runs only: writes the process's peak RSS (KiB) to stderr at exit. */
const maxRssReporter =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss="+process.resourceUsage().maxRSS+"\\n"))';

export interface CliStartupResult {
  runs: number;
  bareMedianMs: number;
  envidMedianMs: number;
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
    bareMaxRssKiB: median(bareRss),
    envidMaxRssKiB: median(envidRss),
  };
}
