import { readUnverifiedJwt } from '../../core/tokens/unverified-jwt.ts';
import { CliError, ExitCode, type ExitCodeValue } from '../../shared/exit-codes.ts';

/** The claims of a token a relying party matches on, decoded without verification, for messages. */
export interface TokenFacts {
  iss: string;
  sub: string;
  /** One audience, or several joined with ", ". */
  aud: string;
}

/** `iss`, `sub` and `aud` of a compact JWT (never its signature); "?" for what cannot be read. */
export function readTokenFacts(token: string): TokenFacts {
  // Not a JWT: the facts stay "?".
  const claims = readUnverifiedJwt(token).claims ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : '?');
  const aud = Array.isArray(claims['aud']) ? claims['aud'].map(text).join(', ') : text(claims['aud']);
  return { iss: text(claims['iss']), sub: text(claims['sub']), aud };
}

/** A provider's refusal, as each relying party's explain.ts (src/relying-parties/<id>/) describes it. */
export interface ProviderRefusal {
  /** e.g. "Azure (Entra ID)", "AWS STS". */
  provider: string;
  /** The provider's own code, e.g. "AADSTS70021", "InvalidIdentityToken". */
  code: string;
  /** What the code means, in one sentence. */
  meaning: string;
  /** The token the provider refused; its iss/sub/aud are shown. */
  token?: string;
  /** What the provider expected, where it says so or the login's settings tell (shown beside the token's). */
  expected?: Partial<TokenFacts> & Record<string, string | undefined>;
  /**
   * What the provider-side rule must contain for this token to pass, worked out from the token and the
   * login's settings: providers do not reveal their rules, so the values are labelled as the rule's
   * requirement (`expected: <holder> must hold: …`), never as what the provider holds.
   */
  rule?: ProviderRule;
  /** What to do next. */
  nextStep: string;
  /** What envid noticed in the token that the provider's rules refuse (docs/providers/), shown as `noticed:`. */
  noticed?: string[];
  /** The provider's own words (first line only, trimmed), for searching its documentation. */
  providerMessage?: string;
  /** Default 3 (authentication); a provider that could not be reached uses 5. */
  exitCode?: ExitCodeValue;
}

/** A provider-side rule (a federated credential, a trust policy, …) and what it must contain. */
export interface ProviderRule {
  /** Names the rule, e.g. "the federated credential", "the trust policy of arn:aws:iam::1:role/dev". */
  holder: string;
  values: Record<string, string | undefined>;
}

/**
 * One message explaining a provider's refusal: its code and meaning, the token's actual iss/sub/aud
 * beside what was expected, and the next step. main.ts prints it after "envid: ". The token itself is
 * never included (it is a credential until it expires).
 */
export function explainProviderError(refusal: ProviderRefusal): CliError {
  const lines = [`${refusal.provider} refused the exchange: ${refusal.code}: ${refusal.meaning}`];
  if (refusal.providerMessage) {
    const said = refusal.providerMessage.split('\n')[0]!.trim();
    lines.push(`  provider said: ${said.length > 300 ? `${said.slice(0, 300)}…` : said}`);
  }
  if (refusal.token !== undefined) {
    const facts = readTokenFacts(refusal.token);
    lines.push(`  token:    iss ${facts.iss}  sub ${facts.sub}  aud ${facts.aud}`);
  }
  const expected = [
    ...(refusal.rule ? [`${refusal.rule.holder} must hold: ${pairs(refusal.rule.values)}`] : []),
    ...(pairs(refusal.expected ?? {}) === '' ? [] : [pairs(refusal.expected ?? {})]),
  ];
  if (expected.length > 0) lines.push(`  expected: ${expected.join('; ')}`);
  if (refusal.noticed && refusal.noticed.length > 0) {
    lines.push(`  noticed:  ${refusal.noticed.join('; ')}`);
  }
  lines.push(`  next:     ${refusal.nextStep}`);
  return new CliError(lines.join('\n'), refusal.exitCode ?? ExitCode.authentication);
}

/** `key value  key value`, leaving out undefined values. */
function pairs(values: Record<string, string | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key} ${value}`)
    .join('  ');
}

/** The provider could not be reached (DNS, refused connection, TLS, timeout): exit code 5. */
export function providerUnreachable(provider: string, url: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail =
    error instanceof Error && error.name === 'TimeoutError'
      ? 'no answer in time'
      : (cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error));
  return new CliError(`cannot reach ${provider} at ${url}: ${detail}`, ExitCode.unreachable);
}
