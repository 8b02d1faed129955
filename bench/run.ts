// `npm run bench`: envid's token and JWKS throughput against baselines measured in the same run (raw
// RS256 signing, panva's oidc-provider). Prints figures and ratios; asserts nothing (see BENCHMARKS.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { stopAll } from './child-process.ts';
import { measureCliStartup } from './cli-startup.ts';
import { databaseUrlOption } from './database-url-option.ts';
import { type EnvidTarget, startEnvidTarget } from './envid-target.ts';
import { type LoadOptions, runLoad } from './load.ts';
import { describeMachine } from './machine.ts';
import { startOidcProviderTarget } from './oidc-provider-target.ts';
import { measureRawSigning } from './raw-signing.ts';
import {
  type BenchResults,
  failures,
  formatCliStartup,
  formatMarkdownRows,
  formatReport,
  type Round,
} from './report.ts';
import {
  measureAuditQueries,
  measurePgliteScale,
  type ScaleOptions,
  startScaledTarget,
} from './scale-rows.ts';
import { serveHasWorkers, workersSkipped } from './workers-support.ts';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '6' },
    'warmup-seconds': { type: 'string', default: '3' },
    'raw-seconds': { type: 'string', default: '3' },
    'jwks-seconds': { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    environments: { type: 'string', default: '32' },
    'log-level': { type: 'string', default: 'info' },
    /** Writes a CPU profile of the envid server into this directory (read it with bench/profile-summary.ts). */
    'cpu-prof': { type: 'string' },
    /** Only envid's token load (for profiling): no baselines, no JWKS. */
    'envid-only': { type: 'boolean', default: false },
    /** `envid idp token` start-ups timed against bare `node -e 0` (issue 4). */
    'cli-runs': { type: 'string', default: '41' },
    /** Only the CLI start-up figures (a server is still started: the CLI asks it for a token). */
    'cli-only': { type: 'boolean', default: false },
    /** Adds the scale rows (issue 17): a large installation's database against the empty one. */
    scale: { type: 'boolean', default: false },
    'scale-environments': { type: 'string', default: '100000' },
    'audit-rows': { type: 'string', default: '10000000' },
    'audit-calls': { type: 'string', default: '50' },
    'startup-runs': { type: 'string', default: '5' },
    'database-url': databaseUrlOption,
  },
});
const rounds = Number(flags.rounds);
const seconds = Number(flags.seconds);
const warmupSeconds = Number(flags['warmup-seconds']);
const rawSeconds = Number(flags['raw-seconds']);
const jwksSeconds = Number(flags['jwks-seconds']);
const connections = Number(flags.connections);
const envidOnly = flags['envid-only'];
const cliOnly = flags['cli-only'];
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const withWorkers = !envidOnly && !cliOnly && serveHasWorkers();
const scale = flags.scale && !envidOnly && !cliOnly;

// Bounded: whatever happens, stop every process this run started and give up after three minutes (a
// minute more for the workers row; seeding and querying a large database take up to 90 more).
const workDir = mkdtempSync(join(tmpdir(), 'envid-bench-run-'));
const databaseDrops: Array<() => Promise<void>> = [];
const dropDatabases = async () => {
  for (const drop of databaseDrops.splice(0)) await drop();
};
const abort = async (reason: string) => {
  log(reason);
  await stopAll();
  await dropDatabases().catch(() => {});
  process.exit(1);
};
const limitSeconds = 180 + (withWorkers ? 60 : 0) + (scale ? 5400 : 0);
setTimeout(() => void abort(`gave up after ${limitSeconds} s`), limitSeconds * 1000).unref();
process.once('SIGINT', () => void abort('interrupted'));
process.once('SIGTERM', () => void abort('terminated'));

try {
  const machine = describeMachine();
  if (cliOnly) await runCliOnly();
  // Both servers run from the start: an idle one costs nothing, and alternating between them in rounds
  // lets the baselines and envid share whatever else the machine is doing at the time.
  log('starting envid on a fresh PostgreSQL database and seeding it; starting oidc-provider');
  const envid = await startEnvidTarget({
    adminUrl: flags['database-url'],
    environments: Number(flags.environments),
    logLevel: flags['log-level'],
    workDir,
    ...(flags['cpu-prof'] ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', flags['cpu-prof']] } : {}),
  });
  databaseDrops.push(envid.dropDatabase);
  const peer = envidOnly ? undefined : await startOidcProviderTarget(workDir);
  if (!withWorkers && !envidOnly) log(workersSkipped);
  const workers = withWorkers
    ? await startEnvidTarget({
        adminUrl: flags['database-url'],
        environments: Number(flags.environments),
        logLevel: flags['log-level'],
        workDir,
        logName: 'envid-workers.log',
        serveArgs: ['--workers', '2'],
      })
    : undefined;
  if (workers) databaseDrops.push(workers.dropDatabase);
  const scaleOptions: ScaleOptions = {
    adminUrl: flags['database-url'],
    environments: Number(flags['scale-environments']),
    auditRows: Number(flags['audit-rows']),
    auditCalls: Number(flags['audit-calls']),
    startupRuns: Number(flags['startup-runs']),
    workDir,
    log,
  };
  if (scale) {
    log(
      `--scale: seeding PostgreSQL with ${scaleOptions.environments} environments and ${scaleOptions.auditRows} audit rows`,
    );
  }
  const scaled = scale
    ? await startScaledTarget({
        ...scaleOptions,
        environmentTokens: Number(flags.environments),
        logLevel: flags['log-level'],
      })
    : undefined;
  if (scaled) databaseDrops.push(scaled.target.dropDatabase);
  const tokenLoadOn = (target: EnvidTarget): LoadOptions => ({
    ...tokenLoad,
    url: `${target.url}/api/gitpod.v1.IdentityService/GetIDToken`,
    authorizations: target.authorizations,
    serverPid: target.process.child.pid,
    databasePids: target.databasePids,
  });

  const tokenLoad: LoadOptions = {
    url: `${envid.url}/api/gitpod.v1.IdentityService/GetIDToken`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ audience: ['sts.amazonaws.com'] }),
    authorizations: envid.authorizations,
    connections,
    seconds,
    serverPid: envid.process.child.pid,
    databasePids: envid.databasePids,
  };
  const peerLoad: LoadOptions | undefined = peer && {
    url: peer.tokenUrl,
    method: 'POST',
    headers: peer.headers,
    body: peer.body,
    connections,
    seconds,
    serverPid: peer.process.child.pid,
  };
  await checkEnvidToken(envid.url, envid.authorizations[0]!);
  if (peerLoad) await checkPeerToken(peerLoad);
  const workersLoad = workers && tokenLoadOn(workers);
  const scaledLoad = scaled && tokenLoadOn(scaled.target);
  if (workers) await checkEnvidToken(workers.url, workers.authorizations[0]!);
  if (scaled) await checkEnvidToken(scaled.target.url, scaled.target.authorizations[0]!);

  const jwksLoad: LoadOptions = {
    url: `${envid.url}/.well-known/jwks.json`,
    connections,
    seconds: jwksSeconds,
    serverPid: envid.process.child.pid,
  };
  log(`warm-up: ${warmupSeconds} s each`);
  await runLoad({ ...tokenLoad, seconds: warmupSeconds });
  if (peerLoad) await runLoad({ ...peerLoad, seconds: warmupSeconds });
  if (!envidOnly) await runLoad({ ...jwksLoad, seconds: 1 });
  if (workersLoad) await runLoad({ ...workersLoad, seconds: warmupSeconds });
  if (scaledLoad) await runLoad({ ...scaledLoad, seconds: warmupSeconds });

  const measured: Round[] = [];
  for (let round = 1; round <= rounds; round++) {
    log(
      `round ${round}/${rounds}: raw signing ${rawSeconds} s, envid and oidc-provider ${seconds} s each, JWKS ${jwksSeconds} s`,
    );
    const rawSigning = envidOnly ? { perSecond: Number.NaN } : measureRawSigning(rawSeconds);
    // Every other round the baseline goes first, so neither server always follows the other.
    const peerFirst = peerLoad !== undefined && round % 2 === 0;
    const earlyPeer = peerFirst ? await runLoad(peerLoad) : undefined;
    // The large database's server and the workers just before or after the one process on the empty
    // database (alternating), so each ratio compares neighbouring moments of the machine.
    const earlyScaled = scaledLoad && peerFirst ? await runLoad(scaledLoad) : undefined;
    const earlyWorkers = workersLoad && peerFirst ? await runLoad(workersLoad) : undefined;
    const envidResult = await runLoad(tokenLoad);
    const workersResult = earlyWorkers ?? (workersLoad ? await runLoad(workersLoad) : undefined);
    const scaledResult = earlyScaled ?? (scaledLoad ? await runLoad(scaledLoad) : undefined);
    // JWKS right after the tokens: its ratio compares two loads of one moment of the machine.
    const jwksResult = envidOnly ? undefined : await runLoad(jwksLoad);
    const peerResult = earlyPeer ?? (peerLoad ? await runLoad(peerLoad) : undefined);
    measured.push({
      rawSigningPerSecond: rawSigning.perSecond,
      envid: envidResult,
      ...(peerResult ? { oidcProvider: peerResult } : {}),
      ...(jwksResult ? { jwks: jwksResult } : {}),
      ...(workersResult ? { workers: workersResult } : {}),
      ...(scaledResult ? { scaled: scaledResult } : {}),
    });
  }

  let cli: BenchResults['cli'];
  if (!envidOnly) {
    log(`CLI start-up: envid idp token vs bare node, ${flags['cli-runs']} runs each`);
    cli = await measureCliStartup({
      url: envid.url,
      authorization: envid.authorizations[0]!,
      runs: Number(flags['cli-runs']),
    });
  }
  const extra: string[] = [];
  if (!withWorkers && !envidOnly) extra.push(workersSkipped, '');
  if (scaled) extra.push(...(await measureAuditQueries(scaleOptions, envid, scaled)), '');
  await stopAll();
  await dropDatabases();

  const results: BenchResults = {
    machine,
    settings:
      `${connections} connections, ${flags.environments} environments, ${seconds} s per load after ` +
      `${warmupSeconds} s warm-up, envid log level ${flags['log-level']}`,
    rounds: measured,
    ...(cli ? { cli } : {}),
    ...(extra.length > 0 ? { extra } : {}),
  };
  process.stdout.write(`${formatReport(results)}\n\nBENCHMARKS.md rows:\n${formatMarkdownRows(results)}\n`);
  // The PGlite part comes last and is printed on its own: its seeding is the longest part of the run,
  // and the figures above should be out before it starts.
  if (scale) process.stdout.write(`\n${(await measurePgliteScale(scaleOptions)).join('\n')}\n`);
  const failed = measured
    .flatMap((r) => [r.envid, r.oidcProvider, r.jwks, r.workers, r.scaled])
    .some((result) => result !== undefined && failures(result) > 0);
  if (failed) log('some requests failed: the figures are not valid');
  rmSync(workDir, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
} catch (error) {
  await abort(`failed: ${(error as Error).stack ?? error} (logs in ${workDir})`);
}

/** `--cli-only`: a server with one environment, then the start-up figures alone. */
async function runCliOnly(): Promise<never> {
  const envid = await startEnvidTarget({
    adminUrl: flags['database-url'],
    environments: 1,
    logLevel: flags['log-level'],
    workDir,
  });
  databaseDrops.push(envid.dropDatabase);
  log(`CLI start-up: envid idp token vs bare node, ${flags['cli-runs']} runs each`);
  const cli = await measureCliStartup({
    url: envid.url,
    authorization: envid.authorizations[0]!,
    runs: Number(flags['cli-runs']),
  });
  await stopAll();
  await dropDatabases();
  process.stdout.write(`${formatCliStartup(cli).join('\n')}\n`);
  rmSync(workDir, { recursive: true, force: true });
  process.exit(0);
}

/** The bench must measure real tokens: one is verified against envid's own JWKS before the load. */
async function checkEnvidToken(url: string, authorization: string): Promise<void> {
  const response = await fetch(`${url}/api/gitpod.v1.IdentityService/GetIDToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ audience: ['sts.amazonaws.com'] }),
  });
  if (!response.ok) throw new Error(`GetIDToken answered ${response.status}: ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  await jwtVerify(token, createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`)), {
    audience: 'sts.amazonaws.com',
  });
}

async function checkPeerToken(load: LoadOptions): Promise<void> {
  const response = await fetch(load.url, { method: 'POST', headers: load.headers!, body: load.body! });
  const answer = (await response.json()) as { access_token?: string };
  if (!response.ok || !answer.access_token) {
    throw new Error(`oidc-provider answered ${response.status}: ${JSON.stringify(answer)}`);
  }
  const header = decodeProtectedHeader(answer.access_token);
  if (header.alg !== 'RS256') throw new Error(`oidc-provider signed with ${header.alg}, not RS256`);
}
