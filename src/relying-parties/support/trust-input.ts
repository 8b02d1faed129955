import { usageError } from '../../shared/exit-codes.ts';

/** The trust configuration given as flags: what `envid idp check` builds a provider's document from. */
export interface TrustFlags {
  issuer?: string;
  /** The exact `sub` the trust matches. */
  subject?: string;
  /** A `sub` prefix (AWS StringLike `<prefix>*`, Vault glob, a CEL startsWith). */
  subjectPrefix?: string;
  audience?: string;
}

/** What a check reads its trust configuration from: parsed `--config` files and the flags. */
export interface TrustInput {
  /** Each `--config` file parsed (JSON or YAML), with its name for messages. */
  documents: { source: string; value: unknown }[];
  flags: TrustFlags;
}

/**
 * `envid idp trust` prints an envelope `{relyingParty, scope, issuer, audience, subject|subjectPrefix,
 * documents: {...}, commands, warnings}`: its documents are the provider's own, so each is read as if
 * it had been given alone, and its issuer, audience and subject fill the flags not given. Any other
 * file is taken as the provider's own export. A configuration for another relying party is refused.
 */
export function unwrapTrustInput(relyingParty: string, input: TrustInput): TrustInput {
  const documents: TrustInput['documents'] = [];
  let flags = { ...input.flags };
  for (const document of input.documents) {
    const value = document.value as Record<string, unknown> | null;
    if (!isEnvelope(value)) {
      documents.push(document);
      continue;
    }
    if (value['relyingParty'] !== relyingParty) {
      throw usageError(
        `${document.source} is the output of \`envid idp trust ${String(value['relyingParty'])}\`; this is \`envid idp check ${relyingParty}\` (run \`envid idp check ${String(value['relyingParty'])}\`, or \`envid idp trust ${relyingParty}\` for this provider's)`,
      );
    }
    for (const [name, inner] of Object.entries(value['documents'] as Record<string, unknown>)) {
      documents.push({ source: `${document.source} documents.${name}`, value: inner });
    }
    const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : undefined);
    flags = {
      ...pick({
        issuer: text('issuer'),
        audience: text('audience'),
        subject: text('subject'),
        subjectPrefix: text('subjectPrefix'),
      }),
      ...flags,
    };
  }
  return { documents, flags };
}

function isEnvelope(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)['relyingParty'] === 'string' &&
    typeof (value as Record<string, unknown>)['documents'] === 'object'
  );
}

function pick(values: Record<string, string | undefined>): TrustFlags {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

/** A document's field as a string, or a usage error naming the document and the field. */
export function requireString(value: unknown, source: string, field: string): string {
  if (typeof value !== 'string' || value === '')
    throw usageError(`${source}: ${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/** A field that is a string or a list of strings (IAM, Vault), as a list; a usage error otherwise. */
export function stringList(value: unknown, source: string, field: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw usageError(`${source}: ${field} must be a string or a list of strings, got ${JSON.stringify(value)}`);
}

/** The usage error for a configuration no reader recognizes, saying what each accepts. */
export function unrecognized(source: string, provider: string, accepted: string): Error {
  return usageError(`${source} is not a ${provider} trust configuration: expected ${accepted}`);
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
