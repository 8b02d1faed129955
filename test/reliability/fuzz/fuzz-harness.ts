import { request as httpRequest } from 'node:http';
import type { KeyMaterial } from '../../../src/core/keys/generate-key.ts';
import { generateKeyMaterial } from '../../../src/core/keys/generate-key.ts';
import type { MethodDefinition } from '../../../src/server/connect/define-method.ts';
import { type ApiTestServer, fixtureKeys, startApiTestServer } from '../../support/api-server.ts';
import type { Engine } from '../../support/databases.ts';
import { startUpstream, type Upstream } from '../../support/upstream-oidc.ts';
import type { Answer } from './check-answer.ts';
import {
  type DatabaseRows,
  type DatabaseSnapshot,
  differingTables,
  listTables,
  readRows,
  restoreRows,
  snapshotDatabase,
} from './database-snapshot.ts';
import { createFuzzFixture, type FuzzFixture } from './fuzz-fixture.ts';
import { keepFetchOnThisMachine } from './loopback-fetch.ts';

/**
 * A server on a fresh database of one engine with the fuzz's fixture, reachable through inject() and
 * on 127.0.0.1. After each call the database is compared with the fixture's; a call that changed it is
 * undone (rows put back, the server's caches told), so every call meets the same fixture.
 */

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Send the body in two chunks (chunked transfer encoding) rather than with a Content-Length. */
  chunked?: boolean;
}

/**
 * Signing key material that never runs out: the two fixture keys, then two keys generated when first
 * needed and handed out in turn. Handing a key out again is safe: each call makes at most one key, and
 * is undone before the next.
 */
function reusableKeys(): () => Promise<KeyMaterial> {
  const fixture = fixtureKeys();
  const spare: Promise<KeyMaterial>[] = [];
  let handedOut = 0;
  return () => {
    const n = handedOut++;
    if (n < 2) return fixture();
    const index = n % 2;
    spare[index] ??= generateKeyMaterial();
    return spare[index];
  };
}

export class FuzzHarness {
  #port = 0;

  private constructor(
    readonly engine: Engine,
    readonly server: ApiTestServer,
    readonly fixture: FuzzFixture,
    private readonly tables: string[],
    private readonly baseline: DatabaseSnapshot,
    private readonly rows: DatabaseRows,
    private readonly upstream: Upstream,
    private readonly releaseFetch: () => void,
  ) {}

  /** `methods`: extra methods to serve (the fuzz's self-check plants defective ones). */
  static async start(engine: Engine, methods: MethodDefinition[] = []): Promise<FuzzHarness> {
    // Generated issuer URLs must never send a request off this machine.
    const releaseFetch = keepFetchOnThisMachine();
    const upstream = await startUpstream();
    // No rate limits: the fuzz is one client calling fast, failing to authenticate on purpose.
    const server = await startApiTestServer(engine, {
      generateKey: reusableKeys(),
      methods,
      limits: { tokens: 'off', authFailures: 'off', ssoStarts: 'off' },
    });
    try {
      const fixture = await createFuzzFixture(server, upstream);
      const tables = await listTables(server.store);
      const harness = new FuzzHarness(
        engine,
        server,
        fixture,
        tables,
        await snapshotDatabase(server.store, tables),
        await readRows(server.store, tables),
        upstream,
        releaseFetch,
      );
      await server.app.listen({ host: '127.0.0.1', port: 0 });
      harness.#port = (server.app.server.address() as { port: number }).port;
      return harness;
    } catch (error) {
      await server.close();
      await upstream.close();
      releaseFetch();
      throw error;
    }
  }

  /** Every secret the fixture holds, for leak checks. */
  get secrets(): string[] {
    return [
      ...Object.values(this.fixture.secrets).filter(
        (secret) => secret.startsWith('envid_') && secret.length > 20,
      ),
      this.fixture.sso.clientSecret,
    ];
  }

  async inject(path: string, headers: Record<string, string>, payload: string): Promise<Answer> {
    const response = await this.server.app.inject({ method: 'POST', url: path, headers, payload });
    return {
      status: response.statusCode,
      contentType: response.headers['content-type'] as string | undefined,
      text: response.body,
    };
  }

  /** One request over a real socket; nothing about it is checked or repaired by the client. */
  sendRaw(raw: RawRequest): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: this.#port,
          method: raw.method,
          path: raw.path,
          // Framed either way, also for verbs Node does not chunk by default (GET, DELETE, OPTIONS).
          headers: {
            ...raw.headers,
            ...(raw.chunked
              ? { 'transfer-encoding': 'chunked' }
              : { 'content-length': String(raw.body.length) }),
          },
          // A connection per request: an answer that closes its connection (say, to a body over the
          // limit) must not fail the next request on a reused socket.
          agent: false,
          timeout: 30_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              contentType: response.headers['content-type'],
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () =>
        request.destroy(new Error(`no answer to ${raw.method} ${raw.path} in 30 s`)),
      );
      request.on('error', reject);
      if (raw.chunked) {
        const half = Math.floor(raw.body.length / 2);
        request.write(raw.body.subarray(0, half));
        request.end(raw.body.subarray(half));
      } else {
        request.end(raw.body);
      }
    });
  }

  /**
   * The tables the last call changed (empty when none), after putting them back as the fixture had
   * them and telling the server's caches.
   */
  async settle(): Promise<string[]> {
    const after = await snapshotDatabase(this.server.store, this.tables);
    const changed = differingTables(this.baseline, after);
    if (changed.length === 0) return [];
    const tables = this.tables.filter((table) => this.baseline[table]?.hash !== after[table]?.hash);
    await restoreRows(this.server.store, this.rows, tables);
    // A write through the store tells this server's caches to forget (every cache clears on any
    // change); one of the signing keys makes the key manager reload them, too.
    await this.server.store.signingKeys.update(this.fixture.ids['key.current'], (key) => key);
    if (tables.includes('signing_keys')) await this.#waitForKeys();
    return changed;
  }

  /** Waits until the JWKS publishes the fixture's keys again. */
  async #waitForKeys(): Promise<void> {
    const expected = [this.fixture.ids['key.current'], this.fixture.ids['key.next']].sort().join(',');
    for (let attempt = 0; attempt < 200; attempt++) {
      const response = await this.server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      const kids = (response.json() as { keys: { kid: string }[] }).keys.map((key) => key.kid).sort();
      if (kids.join(',') === expected) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('the key manager did not reload the restored signing keys');
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.upstream.close();
    this.releaseFetch();
  }
}
