import fs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { usageError } from '../../shared/exit-codes.ts';
import { writeFileAtomic } from '../../shared/write-file-atomic.ts';
import { fetchDocument } from './fetch-document.ts';
import { checkDiscovery, checkJwks, discoveryPath } from './issuer-documents.ts';

export interface ExportFlags {
  from: string;
  out: string;
  watch?: boolean;
  interval?: string;
  issuer?: string;
}

/** Public documents: readable by the web server or the upload job, whoever runs it. */
const fileMode = 0o644;
/**
 * The longest poll: envid publishes a next key 600 s (JWKS max-age 300 s + margin 300 s) before it signs,
 * so a copy refreshed within the margin is never behind a relying party's cached key set.
 */
const maxIntervalSeconds = 300;

interface Written {
  etag: string | undefined;
  body: string;
}

/**
 * `envid discovery export`: copies the discovery document and the JWKS of the envid at --from into
 * --out, at the paths under the issuer where a static host must serve them, each file replaced
 * atomically. With --watch it polls (If-None-Match) and rewrites what changed until SIGINT/SIGTERM.
 */
export async function runDiscoveryExport(flags: ExportFlags): Promise<void> {
  const options = parseFlags(flags);
  const state: { discovery?: Written; jwks?: Written & { path: string } } = {};
  const round = async (signal?: AbortSignal) => {
    const discovery = await fetchDocument(`${options.from}${discoveryPath}`, state.discovery?.etag, signal);
    const current = discovery.changed ? discovery : state.discovery!;
    const { jwksPath } = checkDiscovery(current.body, options.issuer);
    const sameJwksPath = state.jwks?.path === jwksPath;
    const jwks = await fetchDocument(
      `${options.from}${jwksPath}`,
      sameJwksPath ? state.jwks?.etag : undefined,
      signal,
    );
    // Both are checked before either is written; the JWKS first, so the discovery document never names
    // a key set that is not there yet.
    if (jwks.changed && (!sameJwksPath || jwks.body !== state.jwks?.body)) {
      const keyIds = checkJwks(jwks.body);
      await write(options.out, jwksPath, jwks.body);
      process.stdout.write(`wrote ${join(options.out, jwksPath)} (keys ${keyIds.join(', ')})\n`);
    }
    if (jwks.changed) state.jwks = { path: jwksPath, etag: jwks.etag, body: jwks.body };
    if (discovery.changed && discovery.body !== state.discovery?.body) {
      await write(options.out, discoveryPath, discovery.body);
      process.stdout.write(`wrote ${join(options.out, discoveryPath)}\n`);
      state.discovery = { etag: discovery.etag, body: discovery.body };
    }
  };
  await round();
  if (!options.watch) return;

  const stopped = new AbortController();
  const stop = () => stopped.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    while (!stopped.signal.aborted) {
      await sleep(options.intervalMs, undefined, { signal: stopped.signal }).catch(() => undefined);
      if (stopped.signal.aborted) break;
      try {
        await round(stopped.signal);
      } catch (error) {
        if (stopped.signal.aborted) break;
        // The files already written stay: a static copy a poll behind beats none.
        process.stderr.write(
          `envid: discovery export: ${(error as Error).message}; the files stay as they are, next try in ${options.intervalMs / 1000} s\n`,
        );
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function parseFlags(flags: ExportFlags) {
  let from: URL;
  try {
    from = new URL(flags.from);
  } catch {
    throw usageError(
      `--from: "${flags.from}" is not a URL; give the envid server's, e.g. http://127.0.0.1:8080`,
    );
  }
  if ((from.protocol !== 'http:' && from.protocol !== 'https:') || from.search !== '' || from.hash !== '') {
    throw usageError(`--from: "${flags.from}" must be an http(s) URL without query or fragment`);
  }
  if (flags.out.trim() === '') throw usageError('--out must name a directory');
  const seconds = flags.interval === undefined ? 30 : Number(flags.interval);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > maxIntervalSeconds) {
    throw usageError(
      `--interval: "${flags.interval}" must be between 0.1 and ${maxIntervalSeconds} seconds (a new key is published 600 s before it signs; the copy must keep up)`,
    );
  }
  if (flags.interval !== undefined && !flags.watch) throw usageError('--interval needs --watch');
  return {
    from: from.href.replace(/\/$/, ''),
    out: resolve(flags.out),
    watch: flags.watch === true,
    intervalMs: Math.round(seconds * 1000),
    issuer: flags.issuer,
  };
}

async function write(out: string, path: string, body: string): Promise<void> {
  const file = join(out, path);
  try {
    await fs.promises.mkdir(dirname(file), { recursive: true, mode: 0o755 });
    await writeFileAtomic(file, body, fileMode);
  } catch (error) {
    throw usageError(`--out: cannot write ${file}: ${(error as Error).message}`);
  }
}
