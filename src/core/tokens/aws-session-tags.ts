import { invalidArgument } from '../errors.ts';
import type { PrincipalClaims } from './principal-claims.ts';
import { allowedSubFieldsDescription, resolveSubField, subFieldProblem } from './sub-fields.ts';

/**
 * AWS session tags in an ID token (docs/tokens.md#aws-session-tags): STS AssumeRoleWithWebIdentity reads
 * this claim and tags the session, so IAM policies can test `aws:PrincipalTag/<key>`; the role's trust
 * policy must then allow `sts:TagSession` as well.
 */
export const awsTagsClaim = 'https://aws.amazon.com/tags';

/** STS's limits on session tags (IAM and STS character limits). */
export const awsSessionTagLimits = { maxTags: 50, maxKeyLength: 128, maxValueLength: 256 } as const;

/** The characters STS allows in tag keys and values: letters, digits, spaces and `_ . : / = + - @`. */
const tagText = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Which claim each tag carries, and which tags survive role chaining. */
export interface AwsSessionTags {
  /** Tag key -> the field whose value it carries (the names sub fields use: `project_id`, `idp_claims.team`, …). */
  principalTags: Record<string, string>;
  /** Keys of principalTags that STS passes on to chained role sessions. */
  transitiveTagKeys: string[];
}

/** The claim's value: each tag as a one-element list, as STS expects. */
export interface AwsTagsClaimValue {
  principal_tags: Record<string, [string]>;
  transitive_tag_keys?: string[];
}

/**
 * Validates session tags as a configuration gives them, within STS's limits, so a token can never carry
 * tags STS would refuse for their shape. Every refusal names the field and the rule.
 */
export function parseAwsSessionTags(input: unknown, field = 'awsSessionTags'): AwsSessionTags {
  if (!isObject(input))
    throw invalidArgument(field, 'must be {"principalTags": {...}, "transitiveTagKeys": [...]}');
  const unknown = Object.keys(input).find((key) => key !== 'principalTags' && key !== 'transitiveTagKeys');
  if (unknown !== undefined) throw invalidArgument(`${field}.${unknown}`, 'is not a session tag setting');
  const tags = input['principalTags'];
  if (!isObject(tags)) throw invalidArgument(`${field}.principalTags`, 'must map tag keys to field names');
  const keys = Object.keys(tags);
  if (keys.length === 0) throw invalidArgument(`${field}.principalTags`, 'must name at least one tag');
  if (keys.length > awsSessionTagLimits.maxTags) {
    throw invalidArgument(
      `${field}.principalTags`,
      `${keys.length} tags given; AWS allows at most ${awsSessionTagLimits.maxTags} session tags`,
    );
  }
  const seen = new Map<string, string>();
  for (const key of keys) {
    const at = `${field}.principalTags[${JSON.stringify(key)}]`;
    const keyProblem = tagKeyProblem(key);
    if (keyProblem) throw invalidArgument(at, keyProblem);
    // STS treats tag keys case-insensitively: Project and project would be one tag.
    const other = seen.get(key.toLowerCase());
    if (other !== undefined)
      throw invalidArgument(
        at,
        `differs from ${JSON.stringify(other)} only in case; AWS tag keys ignore case`,
      );
    seen.set(key.toLowerCase(), key);
    const source = tags[key];
    if (typeof source !== 'string') throw invalidArgument(at, 'must be a field name, e.g. "project_id"');
    const problem = subFieldProblem(source);
    if (problem)
      throw invalidArgument(
        at,
        `${JSON.stringify(source)} ${problem}; allowed: ${allowedSubFieldsDescription}`,
      );
  }
  const transitive = input['transitiveTagKeys'] ?? [];
  if (!Array.isArray(transitive))
    throw invalidArgument(`${field}.transitiveTagKeys`, 'must be a list of tag keys');
  transitive.forEach((key: unknown, index) => {
    if (typeof key !== 'string' || !Object.hasOwn(tags, key)) {
      throw invalidArgument(
        `${field}.transitiveTagKeys[${index}]`,
        'must be one of the keys of principalTags',
      );
    }
  });
  if (new Set(transitive).size !== transitive.length) {
    throw invalidArgument(`${field}.transitiveTagKeys`, 'lists a key twice');
  }
  return {
    principalTags: { ...(tags as Record<string, string>) },
    transitiveTagKeys: [...(transitive as string[])],
  };
}

/**
 * The claim for one token: each tag whose field the principal has, with a value STS accepts. A missing
 * or unacceptable value leaves the tag out (an IAM condition on it then fails closed) rather than failing
 * the token; no tag at all leaves the claim out.
 */
export function awsTagsClaimValue(
  tags: AwsSessionTags,
  claims: PrincipalClaims,
): AwsTagsClaimValue | undefined {
  const principalTags: Record<string, [string]> = {};
  for (const [key, source] of Object.entries(tags.principalTags)) {
    const value = resolveSubField(claims, source);
    if (value === undefined || tagValueProblem(value) !== undefined) continue;
    principalTags[key] = [value];
  }
  const keys = Object.keys(principalTags);
  if (keys.length === 0) return undefined;
  const transitive = tags.transitiveTagKeys.filter((key) => Object.hasOwn(principalTags, key));
  return {
    principal_tags: principalTags,
    ...(transitive.length > 0 ? { transitive_tag_keys: transitive } : {}),
  };
}

/** Why STS would refuse `key` as a session tag key, or undefined. */
export function tagKeyProblem(key: string): string | undefined {
  if (key === '') return 'must not be empty';
  if ([...key].length > awsSessionTagLimits.maxKeyLength)
    return `is longer than ${awsSessionTagLimits.maxKeyLength} characters (AWS's limit for tag keys)`;
  if (!tagText.test(key)) return 'may hold only letters, digits, spaces and _ . : / = + - @ (AWS tag keys)';
  if (key.toLowerCase().startsWith('aws:')) return 'must not start with "aws:" (reserved by AWS)';
  return undefined;
}

/** Why STS would refuse `value` as a session tag value, or undefined. */
export function tagValueProblem(value: string): string | undefined {
  if ([...value].length > awsSessionTagLimits.maxValueLength)
    return `is longer than ${awsSessionTagLimits.maxValueLength} characters`;
  if (!tagText.test(value)) return 'holds characters AWS tag values do not allow';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
