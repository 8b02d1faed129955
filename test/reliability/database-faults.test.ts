import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectCall, setUpEnvironmentThroughApi } from '../support/api-setup.ts';
import { type EnvidProcess, removeDir, startEnvid } from '../support/envid-process.ts';
import { canRunOwnPostgres, type OwnPostgres, queryOnce, startOwnPostgres } from '../support/own-postgres.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * What envid promises when its PostgreSQL fails (docs/reliability.md), with real replicas on a
 * PostgreSQL of the test's own: killed (`pg_ctl stop -m immediate`) and restarted three times under
 * load, and frozen (SIGSTOP) and thawed. No database event may end a process; during the outage
 * every answer is a 503 `unavailable` with Retry-After within 2 s (a credential still in memory keeps
 * answering GetAuthenticatedIdentity); afterwards everything works again, notifications included;
 * every token that was answered is in the audit log.
 */
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

interface Answer {
  status: number;
  retryAfter: string | null;
  body: any;
}

async function call(url: string, token: string, method: string, body: unknown, timeoutMs = 2_000) {
  const response = await fetch(`${url}/api/gitpod.v1.${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: text ? JSON.parse(text) : undefined,
  } satisfies Answer;
}

const idToken = (url: string, token: string, timeoutMs?: number) =>
  call(url, token, 'IdentityService/GetIDToken', { audience: ['sts.amazonaws.com'] }, timeoutMs);
const whoAmI = (url: string, token: string) =>
  call(url, token, 'IdentityService/GetAuthenticatedIdentity', {});

/** Success, or a 503 that says when to retry: the only answers allowed while the database is away. */
function expectSuccessOrUnavailable(answer: Answer): void {
  if (answer.status === 200) return;
  expect(answer).toMatchObject({ status: 503, retryAfter: '2', body: { code: 'unavailable' } });
}

/** Requests in a loop until stopped; keeps every token it was answered and every unexpected answer. */
function loadOn(replicas: EnvidProcess[], token: string) {
  const issued: string[] = [];
  const unexpected: unknown[] = [];
  let running = true;
  const loops = replicas.map(async (replica) => {
    while (running) {
      try {
        const answer = await idToken(replica.url, token);
        if (answer.status === 200) issued.push(answer.body.token);
        else expectSuccessOrUnavailable(answer);
        expectSuccessOrUnavailable(await whoAmI(replica.url, token));
      } catch (error) {
        unexpected.push(error);
      }
    }
  });
  return {
    issued,
    unexpected,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function waitForNotifications(replica: EnvidProcess): Promise<void> {
  let connected = false;
  await waitFor(`${replica.url} to listen for changes again`, () => {
    void fetch(`${replica.url}/readyz`)
      .then((response) => response.json() as Promise<{ changeNotifications?: string }>)
      .then((body) => {
        if (body.changeNotifications === 'connected') connected = true;
      })
      .catch(() => {});
    return connected;
  });
}

describe.runIf(canRunOwnPostgres)('envid replicas when their PostgreSQL fails', () => {
  let database: OwnPostgres;
  const replicas: EnvidProcess[] = [];
  let environmentToken: string;
  let pat: string;

  const startReplica = async (args: string[] = []) => {
    const replica = await startEnvid({
      databaseUrl: database.url,
      ...(replicas[0] ? { adminToken: replicas[0].adminToken } : {}),
      env: { ENVID_MASTER_KEY: masterKey, ENVID_ISSUER: 'https://envid.test.example' },
      args,
    });
    replicas.push(replica);
    return replica;
  };
  const masterKey = randomBytes(32).toString('hex');

  beforeAll(async () => {
    database = await startOwnPostgres();
    const first = await startReplica();
    ({ environmentToken, pat } = await setUpEnvironmentThroughApi(first.url, first.adminToken));
  });

  afterAll(async () => {
    for (const replica of replicas) {
      await replica.stop('SIGKILL');
      removeDir(replica.dataDir);
    }
    database?.destroy();
  });

  const expectAllAlive = () => {
    for (const replica of replicas) {
      expect(replica.child.exitCode, `replica ${replica.url} exited:\n${replica.output()}`).toBeNull();
      expect(replica.child.signalCode).toBeNull();
    }
  };

  it('survives three immediate stops and restarts under load, answering 503 meanwhile and working after', async () => {
    const [first] = replicas as [EnvidProcess];
    const second = await startReplica();
    await startReplica(); // idle: no request reaches it, it must survive as well
    // Both busy replicas know the credential (it is cached), so identity answers survive the outage.
    for (const replica of [first, second])
      expect((await whoAmI(replica.url, environmentToken)).status).toBe(200);
    const load = loadOn([first, second], environmentToken);
    for (let round = 0; round < 3; round++) {
      await waitFor('tokens under load', () => load.issued.length > 5 * (round + 1));
      // Once notifications are back a replica empties its caches (it may have missed changes): wait for
      // that, then for the load to have checked the credential again, before the next outage.
      for (const replica of [first, second]) await waitForNotifications(replica);
      for (const replica of [first, second])
        expect((await whoAmI(replica.url, environmentToken)).status).toBe(200);
      database.stopImmediately();
      for (const replica of [first, second]) {
        expect(await idToken(replica.url, environmentToken)).toMatchObject({
          status: 503,
          retryAfter: '2',
          body: { code: 'unavailable' },
        });
        // Served from memory: the credential was checked less than the cache's 30 s ago.
        expect((await whoAmI(replica.url, environmentToken)).status).toBe(200);
        const ready = await fetch(`${replica.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        expect(ready.status).toBe(503);
      }
      database.start();
      const before = load.issued.length;
      await waitFor('tokens again after the restart', () => load.issued.length > before + 5, 30_000);
    }
    await load.stop();
    expect(load.unexpected).toEqual([]);
    expectAllAlive();

    // Every answered token is in the audit log.
    const jtis = load.issued.map((token) => decodeJwt(token).jti as string);
    const recorded = await queryOnce<{ jti: string }>(
      database.url,
      `select details->>'jti' as jti from audit_events where kind = 'token.issued' and details->>'jti' = any($1)`,
      [jtis],
    );
    expect(new Set(recorded.map((row) => row.jti)).size).toBe(new Set(jtis).size);

    // Notifications work again: a credential revoked through one replica is refused by the other at
    // once, long before the cache's 30 s lifetime would drop it.
    const { token: secret, personalAccessToken } = await connectCall(
      first.url,
      pat,
      'UserService/CreatePersonalAccessToken',
      { organizationId: (await whoAmI(first.url, pat)).body.organizationId, description: 'revoked' },
    );
    expect((await whoAmI(second.url, secret)).status).toBe(200);
    await connectCall(first.url, pat, 'UserService/DeletePersonalAccessToken', {
      personalAccessTokenId: personalAccessToken.id,
    });
    let refused = false;
    await waitFor(
      'the other replica to refuse the revoked credential',
      () => {
        void whoAmI(second.url, secret).then((answer) => {
          if (answer.status === 401) refused = true;
        });
        return refused;
      },
      5_000,
    );
  });

  it('answers 503 within the deadlines while the database is frozen, and recovers when it thaws', async () => {
    const replica = await startReplica(['--database-query-timeout', '1', '--database-connect-timeout', '1']);
    expect((await idToken(replica.url, environmentToken)).status).toBe(200);
    database.freeze();
    try {
      const [inFlight, ready] = await Promise.all([
        // Deadline 1 s, plus the client's grace: never the 8 s (or more) a frozen server held requests.
        idToken(replica.url, environmentToken, 4_000),
        fetch(`${replica.url}/readyz`, { signal: AbortSignal.timeout(2_000) }),
      ]);
      expect(inFlight).toMatchObject({ status: 503, retryAfter: '2', body: { code: 'unavailable' } });
      expect(ready.status).toBe(503);
      expect((await whoAmI(replica.url, environmentToken)).status).toBe(200);
    } finally {
      database.thaw();
    }
    let answered = 0;
    await waitFor('tokens after the thaw', () => {
      void idToken(replica.url, environmentToken, 4_000).then((answer) => {
        if (answer.status === 200) answered++;
      });
      return answered > 0;
    });
    expectAllAlive();
  });
});
