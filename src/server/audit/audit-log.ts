import type { AuditEvent } from '../../store/records.ts';

/** Where the token path records what it issued; resolves once the record is durable. */
export interface TokenAuditLog {
  /**
   * `signed` settles when the token's signature is done: until then the record may wait for others to
   * share its commit, since the answer could not go out earlier anyway.
   */
  recordTokenIssued(event: AuditEvent, signed?: Promise<unknown>): Promise<void>;
}
