import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { readUnverifiedJwt } from '../../core/tokens/unverified-jwt.ts';
import type { RelyingParty, TrustCheck } from '../../relying-parties/relying-party.ts';
import type { CheckVerdict } from '../../relying-parties/support/check-verdict.ts';
import { isLoopbackIssuer } from '../../relying-parties/support/loopback-issuer.ts';
import type { TrustFlags, TrustInput } from '../../relying-parties/support/trust-input.ts';
import { ExitCode, usageError } from '../../shared/exit-codes.ts';
import type { ConnectionFlags } from '../config/resolve-connection.ts';
import { writeJson } from '../output.ts';
import { readStdin } from '../read-stdin.ts';
import { requestFreshToken } from './fresh-token.ts';
import { renderVerdict } from './render-check.ts';

export interface CheckFlags extends ConnectionFlags, TrustFlags {
  tokenFile?: string;
  config?: string[];
  json?: boolean;
}

/**
 * `envid idp check <provider>`: reads the trust configuration (`--config` files, JSON or YAML, and the
 * flags), takes the token from `--token-file` (`-`: stdin) or asks envid for one, and prints whether
 * the provider would accept it. Answers the exit code: 0 accepted, 3 refused (as a login's refusal).
 */
export async function runCheck(
  party: RelyingParty,
  check: TrustCheck,
  flags: CheckFlags,
  io: { env: NodeJS.ProcessEnv; stdout: NodeJS.WritableStream; now: () => number },
): Promise<number> {
  if (flags.subject !== undefined && flags.subjectPrefix !== undefined)
    throw usageError('give --subject or --subject-prefix, not both');
  const documents = await Promise.all((flags.config ?? []).map(readConfigFile));
  const trustFlags: TrustFlags = pick(flags);
  const token = await tokenToCheck(party, flags, documents, io.env);
  const { header, claims } = readUnverifiedJwt(token);
  if (header === undefined || claims === undefined)
    throw usageError(
      `the token${flags.tokenFile ? ` in ${flags.tokenFile === '-' ? 'stdin' : flags.tokenFile}` : ''} is not a JWT (three base64url parts with a JSON header and claims)`,
    );
  const warnings: string[] = [];
  if (documents.length === 0 && trustFlags.issuer === undefined && typeof claims['iss'] === 'string') {
    trustFlags.issuer = claims['iss'];
    warnings.push(`no --issuer: took the token's own iss ${claims['iss']}`);
  }
  const input: TrustInput = { documents, flags: trustFlags };
  const verdict: CheckVerdict = check.evaluate({ header, claims, length: token.length }, input, io.now());
  const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
  const noticed = isLoopbackIssuer(iss) ? [] : party.rules.tokenProblems(token);
  verdict.warnings = [
    ...warnings,
    ...verdict.warnings,
    ...noticed.filter((problem) => !verdict.warnings.includes(problem)),
  ];
  if (flags.json) writeJson(io.stdout, verdict);
  else io.stdout.write(renderVerdict(verdict, party.title));
  return verdict.accepted ? ExitCode.ok : ExitCode.authentication;
}

async function readConfigFile(path: string): Promise<TrustInput['documents'][number]> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw usageError(
      `cannot read --config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const source = path === '-' ? 'stdin' : path;
  try {
    return { source, value: JSON.parse(text) };
  } catch {
    try {
      return { source, value: parseYaml(text) };
    } catch (error) {
      throw usageError(
        `--config ${source} is neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}`,
      );
    }
  }
}

/** The token: `--token-file` (`-`: stdin), else a fresh one from envid for the trust's audience. */
async function tokenToCheck(
  party: RelyingParty,
  flags: CheckFlags,
  documents: TrustInput['documents'],
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (flags.tokenFile !== undefined) {
    if (flags.tokenFile === '-' && flags.config?.includes('-'))
      throw usageError('stdin can hold the token or a --config file, not both');
    try {
      return (flags.tokenFile === '-' ? await readStdin() : await readFile(flags.tokenFile, 'utf8')).trim();
    } catch (error) {
      throw usageError(
        `cannot read --token-file ${flags.tokenFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
  const envelopeAudience = documents
    .map(({ value }) => (value as { audience?: unknown } | null)?.audience)
    .find((audience): audience is string => typeof audience === 'string');
  const audience =
    flags.audience ??
    envelopeAudience ??
    (party.defaultAudience.includes('<') ? undefined : party.defaultAudience);
  if (audience === undefined)
    throw usageError(`give --audience (the token envid should issue for ${party.title}), or --token-file`);
  return (await requestFreshToken(flags, env, audience)).token;
}

function pick(flags: CheckFlags): TrustFlags {
  const trust: TrustFlags = {};
  if (flags.issuer !== undefined) trust.issuer = flags.issuer;
  if (flags.subject !== undefined) trust.subject = flags.subject;
  if (flags.subjectPrefix !== undefined) trust.subjectPrefix = flags.subjectPrefix;
  if (flags.audience !== undefined) trust.audience = flags.audience;
  return trust;
}
