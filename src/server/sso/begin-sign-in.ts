import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import * as client from 'openid-client';
import { deleteExpiredSignIns } from '../../services/expired-sign-ins.ts';
import type { SsoConfiguration, SsoSignIn } from '../../store/records.ts';
import type { ServerContext } from '../connect/define-method.ts';
import { cookie } from './cookies.ts';
import { upstreamClient } from './upstream-client.ts';

export const stateCookie = 'envid_sso_state';
/** How long a browser may take upstream before the sign-in is forgotten. */
export const signInLifetimeMs = 10 * 60 * 1000;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What a sign-in carries besides the upstream's verifier, state and nonce: where it ends. */
export type SignInEnd = Pick<
  SsoSignIn,
  'returnTo' | 'cliRedirectUri' | 'cliCodeChallenge' | 'cliState' | 'deviceGrantId'
>;

/**
 * Sends the browser upstream for `config` (code flow, PKCE S256, state, nonce; docs/decisions/0180):
 * keeps the sign-in server-side under the SHA-256 of its state, sets the state cookie, redirects.
 */
export async function beginSignIn(
  context: ServerContext,
  reply: FastifyReply,
  config: SsoConfiguration,
  end: SignInEnd,
): Promise<FastifyReply> {
  const { store, clock } = context;
  const upstream = await upstreamClient(config, context.sso.masterKey, clock);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const now = clock.now();
  // Deleted on write: a browser that never came back leaves its row, and the table stays bounded.
  await deleteExpiredSignIns(store, now, signInLifetimeMs);
  await store.ssoSignIns.insert({
    id: sha256(state),
    ssoConfigurationId: config.id,
    codeVerifier,
    nonce,
    ...end,
    createdAt: now,
    expiresAt: new Date(now.getTime() + signInLifetimeMs),
  });
  const target = client.buildAuthorizationUrl(upstream, {
    redirect_uri: `${context.tokens.issuer()}/sso/callback`,
    scope: ['openid', 'email', 'profile', ...config.additionalScopes].join(' '),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const secure = context.tokens.issuer().startsWith('https:');
  reply.header(
    'set-cookie',
    cookie(stateCookie, state, { path: '/sso', maxAgeSeconds: signInLifetimeMs / 1000, secure }),
  );
  return reply.code(302).header('cache-control', 'no-store').redirect(target.href);
}
