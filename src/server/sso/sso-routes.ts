import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { ssoSignedInEvent } from '../../core/audit/sso-events.ts';
import { isUuid, newTimeOrderedId } from '../../core/ids.ts';
import {
  findBrowserSession,
  revokeBrowserSession,
  sessionLifetimeMs,
  startBrowserSession,
} from '../../services/browser-sessions.ts';
import { admitSsoUser, SignInRefused } from '../../services/sso-admission.ts';
import type { SsoConfiguration, SsoSignIn } from '../../store/records.ts';
import type { ServerContext } from '../connect/define-method.ts';
import { beginSignIn, sha256, stateCookie } from './begin-sign-in.ts';
import { completeCliSignIn, refuseCliSignIn } from './complete-cli-sign-in.ts';
import { cookie, readCookies } from './cookies.ts';
import { recordRefusal } from './record-refusal.ts';
import { signInEnd } from './sign-in-end.ts';
import { upstreamClient } from './upstream-client.ts';

/**
 * Browser sign-in through an organization's SSO (docs/decisions/0180-sso-sign-in.md):
 * GET /sso/start?ssoConfigurationId=&returnTo= sends the browser upstream (code flow, PKCE S256,
 * state, nonce); GET /sso/callback verifies the answer and starts a session; POST /sso/sign-out ends
 * it; GET /sso/session says whose it is. Every sign-in and every refusal is audited.
 */

const sessionCookie = 'envid_session';

function answerText(reply: FastifyReply, status: number, text: string) {
  return reply
    .code(status)
    .header('content-type', 'text/plain; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(`${text}\n`);
}

/**
 * What openid-client found wrong, in words: it wraps the check that failed ("unexpected iss…") in a
 * general error ("invalid response encountered"), and names a failed ID token claim in the cause.
 */
function verificationProblem(error: unknown): string {
  type Caused = { message?: unknown; cause?: Caused; claim?: unknown };
  const parts: string[] = [];
  for (let at = error as Caused | undefined; at && parts.length < 3; at = at.cause) {
    if (typeof at.message === 'string' && !parts.includes(at.message)) parts.push(at.message);
    if (typeof at.claim === 'string') parts.push(`claim ${at.claim}`);
  }
  return parts.join(': ') || 'unknown error';
}

export function registerSsoRoutes(app: FastifyInstance, context: ServerContext): void {
  const { store, clock } = context;
  const secure = () => context.tokens.issuer().startsWith('https:');
  const callbackUrl = () => `${context.tokens.issuer()}/sso/callback`;

  const refuse = async (
    request: FastifyRequest,
    reply: FastifyReply,
    reason: string,
    config?: SsoConfiguration,
    subject?: string,
    pending?: SsoSignIn,
  ) => {
    await recordRefusal(context, request, reason, { config, subject });
    reply.header('set-cookie', cookie(stateCookie, '', { path: '/sso', maxAgeSeconds: 0, secure: secure() }));
    if (pending && (await refuseCliSignIn(store, reply, pending, reason))) return reply;
    return answerText(reply, 403, `Sign-in refused: ${reason}`);
  };

  app.get('/sso/start', async (request, reply) => {
    const limited = await context.limits.countSsoStart(request.ip);
    if (limited) {
      // Only the window's first refusal is audited: a flood of starts cannot flood the audit log.
      if (limited.firstInWindow) await recordRefusal(context, request, limited.message);
      reply.header('retry-after', String(limited.retryAfterSeconds));
      return answerText(reply, 429, limited.message);
    }
    const query = request.query as Record<string, unknown>;
    const id = query.ssoConfigurationId;
    const returnTo = typeof query.returnTo === 'string' ? query.returnTo : '/';
    if (typeof id !== 'string' || !isUuid(id)) {
      return answerText(reply, 400, 'ssoConfigurationId: must be the UUID of an SSO configuration');
    }
    const end = signInEnd(query, returnTo);
    if (typeof end === 'string') return answerText(reply, 400, end);
    const config = await store.ssoConfigurations.find(id);
    if (config?.state !== 'active') {
      return answerText(reply, 404, `SSO configuration ${id} not found, or not active`);
    }
    return beginSignIn(context, reply, config, end);
  });

  app.get('/sso/callback', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const state = typeof query.state === 'string' ? query.state : '';
    const cookies = readCookies(request.headers.cookie);
    if (state === '') return refuse(request, reply, 'the answer from the provider carries no state');
    if (cookies.get(stateCookie) !== state) {
      return refuse(
        request,
        reply,
        'this sign-in was not started in this browser (the state does not match); start again',
      );
    }
    const id = sha256(state);
    const pending = await store.ssoSignIns.find(id);
    // Used once: whoever deletes the row goes on; a replayed answer finds nothing.
    if (!pending || (await store.ssoSignIns.deleteWhere({ id })) !== 1) {
      return refuse(request, reply, 'this sign-in is unknown or was already completed; start again');
    }
    const config = await store.ssoConfigurations.find(pending.ssoConfigurationId);
    if (config?.state !== 'active')
      return refuse(
        request,
        reply,
        'the SSO configuration is no longer active',
        undefined,
        undefined,
        pending,
      );
    if (pending.expiresAt.getTime() <= clock.now().getTime()) {
      return refuse(
        request,
        reply,
        'the sign-in took longer than 10 minutes; start again',
        config,
        undefined,
        pending,
      );
    }
    if (typeof query.error === 'string') {
      const description = typeof query.error_description === 'string' ? `: ${query.error_description}` : '';
      return refuse(
        request,
        reply,
        `the provider answered ${query.error}${description}`.slice(0, 500),
        config,
        undefined,
        pending,
      );
    }
    let claims: Record<string, unknown>;
    try {
      const upstream = await upstreamClient(config, context.sso.masterKey, clock);
      const current = new URL(callbackUrl());
      current.search = new URLSearchParams(query as Record<string, string>).toString();
      const tokens = await client.authorizationCodeGrant(upstream, current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = (tokens.claims() ?? {}) as Record<string, unknown>;
    } catch (error) {
      const reason = `the provider's answer did not verify: ${verificationProblem(error)}`;
      return refuse(request, reply, reason, config, undefined, pending);
    }
    const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
    let admitted: Awaited<ReturnType<typeof admitSsoUser>>;
    try {
      admitted = await admitSsoUser(store, clock, config, claims);
    } catch (error) {
      if (error instanceof SignInRefused) {
        return refuse(request, reply, error.message, config, subject, pending);
      }
      throw error;
    }
    const now = clock.now();
    await store.auditEvents.insert(
      ssoSignedInEvent({
        id: newTimeOrderedId(now),
        now,
        config,
        userId: admitted.user.id,
        subject: subject as string,
        userCreated: admitted.userCreated,
        joined: admitted.joined,
        clientAddress: request.ip,
      }),
    );
    if (pending.cliRedirectUri || pending.deviceGrantId) {
      // The command line gets a credential; the browser that carried the sign-in gets no session.
      reply.header(
        'set-cookie',
        cookie(stateCookie, '', { path: '/sso', maxAgeSeconds: 0, secure: secure() }),
      );
      return completeCliSignIn(context, reply, pending, config, admitted.user.id);
    }
    const { secret } = await startBrowserSession(store, clock, admitted.user.id, cookies.get(sessionCookie));
    reply.header('set-cookie', [
      cookie(sessionCookie, secret, { path: '/', maxAgeSeconds: sessionLifetimeMs / 1000, secure: secure() }),
      cookie(stateCookie, '', { path: '/sso', maxAgeSeconds: 0, secure: secure() }),
    ]);
    return reply.code(302).header('cache-control', 'no-store').redirect(pending.returnTo);
  });

  app.get('/sso/session', async (request, reply) => {
    const secret = readCookies(request.headers.cookie).get(sessionCookie);
    const session = secret ? await findBrowserSession(store, clock, secret) : undefined;
    if (!session)
      return reply
        .code(401)
        .header('cache-control', 'no-store')
        .send({ code: 'unauthenticated', message: 'not signed in' });
    const user = await store.users.get(session.userId);
    return reply
      .header('cache-control', 'no-store')
      .send({ userId: user.id, email: user.email, name: user.name });
  });

  app.post('/sso/sign-out', async (request, reply) => {
    const secret = readCookies(request.headers.cookie).get(sessionCookie);
    if (secret) await revokeBrowserSession(store, clock, secret);
    reply.header('set-cookie', cookie(sessionCookie, '', { path: '/', maxAgeSeconds: 0, secure: secure() }));
    return reply.code(204).send();
  });
}
