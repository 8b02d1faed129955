/** One issued token, as the audit log keeps it (SPEC §3). */
export interface TokenIssuedEvent {
  jti: string;
  principalKind: 'user' | 'service_account' | 'runner' | 'environment';
  principalId: string;
  organizationId: string;
  audiences: string[];
  sub: string;
  iat: number;
  exp: number;
  clientAddress: string;
}

/** Where the token path records what it issued; resolves once the record is durable. */
export interface TokenAuditLog {
  recordTokenIssued(event: TokenIssuedEvent): Promise<void>;
}
