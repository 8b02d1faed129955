import type { AuditEvent } from '../../store/records.ts';

/** Where the token path records what it issued; resolves once the record is durable. */
export interface TokenAuditLog {
  recordTokenIssued(event: AuditEvent): Promise<void>;
}
