// `npm run soak`: envid over time (issue 17). Starts `envid serve` on loopback with a data directory
// (and, with --engine postgres, a database) of its own, seeds principals through its API, then asks
// for ID tokens at a steady open-loop rate for --minutes and prints, per minute: requests, errors,
// p50/p99 (from when each request was due) and the server's resident memory. Exits 1 when a request
// failed or resident memory grew by 10% or more after the first minute. See BENCHMARKS.md, "Soak".
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSecret } from '../src/core/credentials.ts';
import { createTestDatabase } from '../test/support/databases.ts';
import { startProcess, stopAll } from './child-process.ts';
import { databaseUrlOption } from './database-url-option.ts';
import { seedThroughApi } from './envid-target.ts';
import { describeMachine } from './machine.ts';
import { runOpenLoop } from './open-loop.ts';
import { emptyMinute, formatSoak, judge, recordOutcome, type SoakMinute } from './soak-report.ts';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    /** ~100 tokens/s: an eighth or less of what 2 loaded cores sustain (~800/s), so the rate holds. */
    rate: { type: 'string', default: '100' },
    engine: { type: 'string', default: 'pglite' },
    /** Environments asking in turn; 20 at 100/s is 5/s each, inside the default per-principal limit. */
    principals: { type: 'string', default: '20' },
    'log-level': { type: 'string', default: 'info' },
    'database-url': databaseUrlOption,
  },
});
const minutes = positiveInteger('minutes', flags.minutes);
const rate = positiveInteger('rate', flags.rate);
const principals = positiveInteger('principals', flags.principals);
const engine = flags.engine;
if (engine !== 'pglite' && engine !== 'postgres')
  fail(`--engine must be pglite or postgres, not "${engine}"`);

const log = (message: string) => process.stderr.write(`soak: ${message}\n`);
function fail(message: string): never {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(2);
}
function positiveInteger(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    fail(`--${name} must be a whole number of 1 or more, not "${value}"`);
  return number;
}

const workDir = mkdtempSync(join(tmpdir(), 'envid-soak-'));
let dropDatabase: () => Promise<void> = async () => {};
const cleanUp = async () => {
  await stopAll();
  await dropDatabase().catch((error) => log(`could not drop the database: ${error}`));
  rmSync(workDir, { recursive: true, force: true });
};
const abort = async (reason: string) => {
  log(reason);
  const serverLog = join(workDir, 'envid.log');
  if (existsSync(serverLog))
    log(`the server's last output:\n${readFileSync(serverLog, 'utf8').slice(-3000)}`);
  await cleanUp();
  process.exit(1);
};
// Bounded: the run's minutes plus three for start-up, seeding and the last answers.
setTimeout(() => void abort(`gave up after ${minutes + 3} minutes`), (minutes + 3) * 60_000).unref();
process.once('SIGINT', () => void abort('interrupted'));
process.once('SIGTERM', () => void abort('terminated'));

/** The server's resident memory now, from /proc (Linux), in KiB. */
function residentKiB(pid: number | undefined): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : Number.NaN;
}

try {
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  const databaseArgs: string[] = [];
  if (engine === 'postgres') {
    const database = await createTestDatabase(flags['database-url'], 'envid_soak');
    dropDatabase = database.drop;
    databaseArgs.push('--database-url', database.url);
  }
  // Past 8 tokens/s per principal the default limit (100 in 10 s) would refuse some: give it room.
  const perPrincipal = rate / principals;
  const limitArgs = perPrincipal > 8 ? ['--token-rate-limit', `${Math.ceil(perPrincipal * 20)}/10s`] : [];
  const adminToken = generateSecret('installation_admin');
  log(`starting envid serve (${engine}) on 127.0.0.1 and seeding ${principals} environments`);
  const started = await startProcess({
    args: [
      join(import.meta.dirname, '../bin/envid.js'),
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      ...databaseArgs,
      ...limitArgs,
    ],
    env: { ENVID_BOOTSTRAP_TOKEN: adminToken, ENVID_LOG_LEVEL: flags['log-level'] },
    logFile: join(workDir, 'envid.log'),
    ready: /envid listening on (http:\/\/\S+)/,
  });
  const pid = started.process.child.pid;
  const authorizations = await seedThroughApi(started.match, adminToken, principals);

  const loadBefore = loadavg()[0]!;
  log(
    `${minutes} min at ${rate} tokens/s over ${principals} principals (load average ${loadBefore.toFixed(1)})`,
  );
  const perMinute: SoakMinute[] = Array.from({ length: minutes }, emptyMinute);
  let sampled = 0;
  const sampler = setInterval(() => {
    const minute = perMinute[sampled++];
    if (minute) {
      minute.rssKiB = residentKiB(pid);
      log(
        `minute ${sampled}: ${minute.requests} requests so far, ${minute.errors} errors, RSS ${(minute.rssKiB / 1024).toFixed(1)} MiB`,
      );
    }
  }, 60_000);
  try {
    await runOpenLoop({
      url: `${started.match}/api/gitpod.v1.IdentityService/GetIDToken`,
      body: JSON.stringify({ audience: ['sts.amazonaws.com'] }),
      authorizations,
      ratePerSecond: rate,
      durationMs: minutes * 60_000,
      timeoutMs: 10_000,
      onOutcome: (outcome) => recordOutcome(perMinute, outcome),
    });
  } finally {
    clearInterval(sampler);
  }
  // The last minute's sample may race the last answers: take it now if the interval had not yet.
  for (const minute of perMinute) if (Number.isNaN(minute.rssKiB)) minute.rssKiB = residentKiB(pid);
  await cleanUp();

  const machine = describeMachine();
  const verdict = judge(perMinute);
  process.stdout.write(
    `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, ${machine.date.slice(0, 16)} UTC; ` +
      `engine ${engine}, ${rate} tokens/s open loop over ${principals} principals, log level ` +
      `${flags['log-level']}; load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end\n\n` +
      `${formatSoak(perMinute, verdict)}\n`,
  );
  process.exit(verdict.errorsMet && verdict.rssMet !== false ? 0 : 1);
} catch (error) {
  await abort(`failed: ${(error as Error).stack ?? error}`);
}
