import type { FastifyReply } from 'fastify';
import { issueLoopbackCode, settleDeviceGrant } from '../../services/sso-cli-grants.ts';
import type { SsoConfiguration, SsoSignIn } from '../../store/records.ts';
import type { Store } from '../../store/store.ts';
import type { ServerContext } from '../connect/define-method.ts';
import { answerPage } from './device-pages.ts';

/** The CLI's loopback URI with the answer's parameters (and the CLI's own state) added. */
function loopbackUrl(pending: SsoSignIn, parameters: Record<string, string>): string {
  const url = new URL(pending.cliRedirectUri as string);
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  if (pending.cliState) url.searchParams.set('state', pending.cliState);
  return url.href;
}

/**
 * A sign-in for `envid login --sso` succeeded upstream and was admitted: the loopback flow sends the
 * browser to the CLI with a one-time code; the device flow marks its authorization approved, so the
 * CLI's next poll gets the token, and tells the user to go back to the terminal.
 */
export async function completeCliSignIn(
  context: ServerContext,
  reply: FastifyReply,
  pending: SsoSignIn,
  config: SsoConfiguration,
  userId: string,
): Promise<FastifyReply> {
  if (pending.deviceGrantId) {
    await settleDeviceGrant(context.store, pending.deviceGrantId, { userId });
    return answerPage(
      reply,
      200,
      'Signed in',
      'You are signed in. Go back to your terminal: envid login finishes there.',
    );
  }
  const code = await issueLoopbackCode(context.store, context.clock, {
    ssoConfigurationId: config.id,
    userId,
    codeChallenge: pending.cliCodeChallenge as string,
    redirectUri: pending.cliRedirectUri as string,
  });
  return reply.code(302).header('cache-control', 'no-store').redirect(loopbackUrl(pending, { code }));
}

/**
 * A sign-in for the CLI was refused (already audited): the loopback flow takes the reason to the CLI
 * (RFC 6749 section 4.1.2.1), the device flow keeps it for the CLI's next poll. Answers whether it
 * answered the browser; a browser sign-in answers it itself.
 */
export async function refuseCliSignIn(
  store: Store,
  reply: FastifyReply,
  pending: SsoSignIn,
  reason: string,
): Promise<boolean> {
  if (pending.deviceGrantId) {
    await settleDeviceGrant(store, pending.deviceGrantId, { refusal: reason });
    return false;
  }
  if (!pending.cliRedirectUri) return false;
  const target = loopbackUrl(pending, { error: 'access_denied', error_description: reason });
  await reply.code(302).header('cache-control', 'no-store').redirect(target);
  return true;
}
