import type { CheckVerdict, TokenUnderCheck } from './support/check-verdict.ts';
import type { TrustInput } from './support/trust-input.ts';

/**
 * A relying party envid's tokens are traded with (a cloud provider, Vault, …), as one plug-in: what it
 * is, the limits it puts on a token, what it refuses in one, and the commands that log its tools in.
 * Each lives in src/relying-parties/<id>/ and is listed once in registry.ts; the CLI builds
 * `envid idp login <id>` (help, completion) from the list. docs/relying-parties.md has the recipe for
 * adding one. This file holds types only, so that any layer may import it.
 */
import type { TrustEnvelope, TrustPlan } from './trust-plan.ts';

export interface RelyingParty {
  /** The word after `envid idp login`: `aws`. */
  id: string;
  /** How messages name it: `AWS STS`. */
  title: string;
  /** Its user documentation: `docs/providers/aws.md`. */
  docs: string;
  /** The `aud` its login asks envid for unless told otherwise (a pattern where it depends on settings). */
  defaultAudience: string;
  limits: RelyingPartyLimits;
  rules: RelyingPartyRules;
  /** `envid idp login <id>`. */
  login: RelyingPartyCommand;
  /** Commands under `envid idp` that what the login writes runs later (credential_process, …). */
  commands: readonly RelyingPartyCommand[];
  /** `envid idp trust <id>`: its set-up for a scope, rendered from the server's plan (pure). */
  trust: RelyingPartyTrust;
  /** `envid idp check <id>`: loads its pure check (check.ts) only when the command runs. */
  check?: { load(): Promise<TrustCheck> };
}

/** How a relying party's trust set-up is written (docs/trust.md). */
export interface RelyingPartyTrust {
  summary: string;
  /** Its own settings (`--role-name <name>`), as commander takes them. */
  options: readonly RelyingPartyOption[];
  /** The envelope of its documents and commands for `plan`; throws a usage error for a bad setting. */
  render(plan: TrustPlan, settings: Record<string, unknown>): TrustEnvelope;
}

/**
 * A relying party's check: reads the trust configuration (its own documents, `envid idp trust`'s
 * envelope, or flags; a usage error names what is wrong) and says whether it would accept the token.
 */
export interface TrustCheck {
  evaluate(token: TokenUnderCheck, input: TrustInput, now: number): CheckVerdict;
}

/** What a relying party can hold or accept; absent where it sets no limit. */
export interface RelyingPartyLimits {
  /** The longest `sub` its trust set-up can match. */
  subject?: { max: number; unit: 'characters' | 'bytes' };
  /** The longest issuer URL it stores. */
  issuer?: { max: number; unit: 'characters' };
  /** How many trust entries (e.g. federated credentials) one identity holds. */
  trustEntries?: number;
  /** The size of a token it accepts, in characters. */
  tokenLength?: { min: number; max: number };
  /** A token must live less than this (exp - iat). */
  tokenLifetimeSeconds?: number;
}

/** Its pure rules: no I/O, so that the server and the browser can use them as the CLI does. */
export interface RelyingPartyRules {
  /** What it would refuse in `token` whatever its trust set-up says, as sentences (empty: nothing). */
  tokenProblems(token: string): string[];
}

/** A command of a relying party, declared as data so that the CLI registers it (help, completion). */
export interface RelyingPartyCommand {
  name: string;
  summary: string;
  description: string;
  options: readonly RelyingPartyOption[];
  /** Where `--host` and `--token` go in the help: before the command's own options or after them. */
  connectionOptions: 'first' | 'last';
  examples: readonly string[];
  /**
   * Runs it; loads its code on first use (`await import('./login.ts')`) so that other commands do not.
   * Answers an exit code when it sets one itself.
   */
  run(flags: Record<string, unknown>, context: LoginContext): Promise<number | undefined>;
}

export interface RelyingPartyOption {
  /** As commander takes it: `--role-arn <arn>`, `--no-gcloud`. */
  flags: string;
  description: string;
  default?: string;
}

/** `--host` and `--token` of a login's flags (the CLI resolves them into the connection). */
export interface EnvidConnectionFlags {
  host?: string;
  token?: string;
}

/** The envid server and credential a login's token came from. */
export interface EnvidConnection {
  host: string;
  token: string;
  /** Where the credential came from: `--token`, `ENVID_TOKEN` or the saved login's file. */
  tokenSource: string;
}

export interface FreshToken {
  connection: EnvidConnection;
  token: string;
}

/** What a relying party's command gets from the CLI: the one context every login shares. */
export interface LoginContext {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /**
   * A new envid ID token for `audience`, from `--host`/`--token`, ENVID_HOST/ENVID_TOKEN or the saved
   * login; `lifetimeSeconds` asks for a shorter one than the server's default.
   */
  freshToken(audience: string, lifetimeSeconds?: number): Promise<FreshToken>;
  /**
   * The envid server and credential freshToken would use, found without a request or a promise (a cache
   * of tokens is kept per server and credential); throws the CLI's usage error when there is none.
   */
  connection(): EnvidConnection;
}
