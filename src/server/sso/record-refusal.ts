import type { FastifyRequest } from 'fastify';
import { ssoSignInRefusedEvent } from '../../core/audit/sso-events.ts';
import { newTimeOrderedId } from '../../core/ids.ts';
import type { SsoConfiguration } from '../../store/records.ts';
import type { ServerContext } from '../connect/define-method.ts';

/** Writes `sso.sign_in_refused` with the reason the caller is shown, and what was known then. */
export async function recordRefusal(
  { store, clock }: Pick<ServerContext, 'store' | 'clock'>,
  request: FastifyRequest,
  reason: string,
  known: { config?: SsoConfiguration | undefined; subject?: string | undefined } = {},
): Promise<void> {
  const now = clock.now();
  await store.auditEvents.insert(
    ssoSignInRefusedEvent({
      id: newTimeOrderedId(now),
      now,
      reason,
      clientAddress: request.ip,
      ...(known.config ? { config: known.config } : {}),
      ...(known.subject ? { subject: known.subject } : {}),
    }),
  );
}
