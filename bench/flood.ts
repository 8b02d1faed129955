// `npm run bench:flood`: what a flood of unknown credentials does to a legitimate client (issue 11,
// defect 9). One envid on a fresh PostgreSQL database behind `--trust-proxy loopback`; a legitimate
// client (its own address in X-Forwarded-For) asks for ID tokens while a flood from another address
// sends thousands of distinct made-up credentials. Prints the legitimate client's p50/p99 alone, under
// the flood with the default limits, and under the flood with the failed-authentication limit off.
// Asserts nothing (see BENCHMARKS.md).

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { stopAll } from './child-process.ts';
import { databaseUrlOption } from './database-url-option.ts';
import { startEnvidTarget } from './envid-target.ts';
import { type LoadResult, runLoad } from './load.ts';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    'legit-connections': { type: 'string', default: '4' },
    'flood-connections': { type: 'string', default: '32' },
    'database-url': databaseUrlOption,
  },
});
const seconds = Number(flags.seconds);
const log = (message: string) => process.stderr.write(`bench:flood: ${message}\n`);
const workDir = mkdtempSync(join(tmpdir(), 'envid-bench-flood-'));
setTimeout(() => {
  log('gave up after 240 s');
  void stopAll().then(() => process.exit(1));
}, 240_000).unref();

/** The flood (bench/flood-load.ts), in its own process: answers its requests per second. */
async function runFlood(url: string): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'flood-load.ts')],
    {
      env: {
        ...process.env,
        FLOOD_URL: url,
        FLOOD_CONNECTIONS: flags['flood-connections'],
        FLOOD_SECONDS: String(seconds),
      },
    },
  );
  const { requests, duration } = JSON.parse(stdout) as { requests: number; duration: number };
  return requests / duration;
}

async function scenario(name: string, serveArgs: string[], flood: boolean) {
  const target = await startEnvidTarget({
    adminUrl: flags['database-url']!,
    environments: 4,
    logLevel: 'warn',
    workDir,
    serveArgs: ['--trust-proxy', 'loopback', ...serveArgs],
  });
  try {
    const url = `${target.url}/api/gitpod.v1.IdentityService/GetIDToken`;
    const request = { url, method: 'POST' as const, body: '{"audience":["sts.amazonaws.com"]}' };
    const legit = runLoad({
      ...request,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.1.1.1' },
      authorizations: target.authorizations,
      connections: Number(flags['legit-connections']),
      seconds,
    });
    const flooding = flood ? runFlood(url) : Promise.resolve(undefined);
    const [own, other] = await Promise.all([legit, flooding]);
    return { name, own, other };
  } finally {
    await target.process.stop();
    await target.dropDatabase();
  }
}

const row = (name: string, own: LoadResult, flood: number | undefined) =>
  `| ${name} | ${own.requestsPerSecond.toFixed(0)} | ${own.p50} | ${own.p99} | ${own.non2xx} | ${
    flood === undefined ? '-' : flood.toFixed(0)
  } |`;

try {
  const results = [];
  results.push(await scenario('alone', [], false));
  results.push(await scenario('under a flood, default limits', [], true));
  results.push(
    await scenario('under a flood, --auth-failure-limit off', ['--auth-failure-limit', 'off'], true),
  );
  process.stdout.write(
    '| legitimate client | tokens/s | p50 ms | p99 ms | refused | flood requests/s |\n|---|---|---|---|---|---|\n',
  );
  for (const { name, own, other } of results) process.stdout.write(`${row(name, own, other)}\n`);
} finally {
  await stopAll();
  rmSync(workDir, { recursive: true, force: true });
}
