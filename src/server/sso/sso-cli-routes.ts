import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ssoCliSignedInEvent } from '../../core/audit/sso-events.ts';
import { isUuid, newTimeOrderedId } from '../../core/ids.ts';
import {
  CliTokenRefused,
  findPendingDeviceGrant,
  redeemCliGrant,
  startDeviceAuthorization,
} from '../../services/sso-cli-grants.ts';
import type { SsoConfiguration } from '../../store/records.ts';
import type { ServerContext } from '../connect/define-method.ts';
import { beginSignIn } from './begin-sign-in.ts';
import { cookie, readCookies } from './cookies.ts';
import { answerPage, codeFormPage } from './device-pages.ts';
import { recordRefusal } from './record-refusal.ts';

/**
 * The command line's side of SSO sign-in (docs/decisions/0181-sso-command-line-sign-in.md):
 * POST /sso/cli/token redeems a loopback code or a device code for a personal access token;
 * POST /sso/device starts a device authorization (RFC 8628); GET /sso/device and
 * POST /sso/device/verify are the page a second device types the user code into.
 */

const csrfCookie = 'envid_device_csrf';
/** Form posts are a few fields; anything larger is not one. */
const bodyLimit = 8 * 1024;

const field = (body: unknown, name: string): unknown =>
  body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ error, error_description: description });
}

const sameText = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function registerSsoCliRoutes(app: FastifyInstance, context: ServerContext): void {
  const { store, clock } = context;
  const secure = () => context.tokens.issuer().startsWith('https:');

  const audit = (request: FastifyRequest, reason: string, config?: SsoConfiguration) =>
    recordRefusal(context, request, reason, { config });

  /**
   * The rate limit of these routes: answers true when it refused the request (a boolean: a reply is
   * thenable, and awaiting one waits for it to be sent).
   */
  const overLimit = async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const over = await context.limits.countSsoCliRequest(request.ip);
    if (!over) return false;
    if (over.firstInWindow) await audit(request, `${request.url}: ${over.refusal.message}`);
    reply.header('retry-after', String(over.refusal.retryAfterSeconds));
    oauthError(reply, 429, 'slow_down', over.refusal.message);
    return true;
  };

  app.register(async (scope) => {
    // Forms (RFC 6749 and 8628 post application/x-www-form-urlencoded); JSON as everywhere else.
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    scope.post('/sso/cli/token', { bodyLimit }, async (request, reply) => {
      if (await overLimit(request, reply)) return reply;
      try {
        const form = (request.body ?? {}) as Record<string, unknown>;
        const { grant, config, credential, secret } = await redeemCliGrant(store, clock, form);
        const now = clock.now();
        await store.auditEvents.insert(
          ssoCliSignedInEvent({
            id: newTimeOrderedId(now),
            now,
            config,
            userId: grant.userId as string,
            flow: grant.kind,
            personalAccessTokenId: credential.id,
            clientAddress: request.ip,
          }),
        );
        return reply.header('cache-control', 'no-store').send({
          access_token: secret,
          token_type: 'Bearer',
          organization_id: config.organizationId,
          user_id: grant.userId,
          personal_access_token_id: credential.id,
        });
      } catch (error) {
        if (!(error instanceof CliTokenRefused)) throw error;
        // Waiting is not a refusal; everything else is, with the reason.
        if (!error.alreadyAudited && error.error !== 'authorization_pending' && error.error !== 'slow_down') {
          await audit(request, `command-line sign-in: ${error.error}: ${error.message}`, error.config);
        }
        return oauthError(reply, 400, error.error, error.message);
      }
    });

    // `envid login --sso --org`: the organization's active configurations, IDs only (no issuer, no
    // client): an unknown organization answers the same empty list as one without SSO.
    scope.post('/sso/cli/configurations', { bodyLimit }, async (request, reply) => {
      if (await overLimit(request, reply)) return reply;
      const organizationId = field(request.body, 'organizationId');
      if (typeof organizationId !== 'string' || !isUuid(organizationId)) {
        return oauthError(
          reply,
          400,
          'invalid_request',
          'organizationId: must be the UUID of an organization',
        );
      }
      const rows = await store.ssoConfigurations.select({ organizationId, state: 'active' }, ['id']);
      return reply
        .header('cache-control', 'no-store')
        .send({ ssoConfigurationIds: rows.map((row) => row.id) });
    });

    scope.post('/sso/device', { bodyLimit }, async (request, reply) => {
      if (await overLimit(request, reply)) return reply;
      const id = field(request.body, 'ssoConfigurationId');
      if (typeof id !== 'string' || !isUuid(id)) {
        return oauthError(
          reply,
          400,
          'invalid_request',
          'ssoConfigurationId: must be the UUID of an SSO configuration',
        );
      }
      const config = await store.ssoConfigurations.find(id);
      if (config?.state !== 'active') {
        return oauthError(reply, 404, 'invalid_request', `SSO configuration ${id} not found, or not active`);
      }
      const started = await startDeviceAuthorization(store, clock, config);
      const verificationUri = `${context.tokens.issuer()}/sso/device`;
      return reply.header('cache-control', 'no-store').send({
        device_code: started.deviceCode,
        user_code: started.userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${started.userCode}`,
        expires_in: started.expiresInSeconds,
        interval: started.intervalSeconds,
      });
    });

    scope.get('/sso/device', async (request, reply) => {
      const typed = field(request.query, 'user_code');
      // Double-submit token in a SameSite=Strict cookie: a form posted from another site carries neither.
      const csrf = randomBytes(24).toString('base64url');
      reply.header('set-cookie', csrfCookieLine(csrf, secure()));
      return codeFormPage(reply, { csrf, userCode: typeof typed === 'string' ? typed.slice(0, 9) : '' });
    });

    scope.post('/sso/device/verify', { bodyLimit }, async (request, reply) => {
      if (await overLimit(request, reply)) return reply;
      const origin = request.headers.origin;
      const expectedOrigin = new URL(context.tokens.issuer()).origin;
      const csrf = field(request.body, 'csrf');
      const cookieValue = readCookies(request.headers.cookie).get(csrfCookie);
      if (
        (origin !== undefined && origin !== expectedOrigin) ||
        typeof csrf !== 'string' ||
        !cookieValue ||
        !sameText(csrf, cookieValue)
      ) {
        await audit(request, "device verification: the form was not posted from this server's own page");
        return answerPage(
          reply,
          403,
          'Start again',
          "This form was not sent from envid's own page. Open the address your terminal shows and enter the code there.",
        );
      }
      const typed = field(request.body, 'user_code');
      const grant = typeof typed === 'string' ? await findPendingDeviceGrant(store, clock, typed) : undefined;
      const config = grant ? await store.ssoConfigurations.find(grant.ssoConfigurationId) : undefined;
      if (!grant || config?.state !== 'active') {
        const fresh = randomBytes(24).toString('base64url');
        reply.header('set-cookie', csrfCookieLine(fresh, secure()));
        return codeFormPage(reply, {
          csrf: fresh,
          userCode: '',
          status: 400,
          problem: 'user_code: unknown or expired; enter the 8 letters your terminal shows (e.g. BCDF-GHJK)',
        });
      }
      return beginSignIn(context, reply, config, { returnTo: '/', deviceGrantId: grant.id });
    });
  });
}

const csrfCookieLine = (value: string, secure: boolean) =>
  `${cookie(csrfCookie, value, { path: '/sso/device', maxAgeSeconds: 600, secure }).replace('SameSite=Lax', 'SameSite=Strict')}`;
