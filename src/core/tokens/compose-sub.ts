import type { OidcConfig } from '../domain/oidc-config.ts';
import { subDefaultKeys, v2SubSegment } from '../principal-kinds.ts';
import { buildPrincipalClaims, type PrincipalClaims } from './principal-claims.ts';
import { encodeSubValue, joinSubPairs, type SubPair } from './sub-encoding.ts';
import { type SubFieldReader, subFieldReader } from './sub-field-readers.ts';
import { resolveSubField } from './sub-fields.ts';
import {
  subjectId,
  subjectOrganizationId,
  type TokenSubject,
  type TokenSubjectKind,
} from './token-subject.ts';

/**
 * The pairs of a V3 `sub`: the kind's default keys (principal-kinds.ts), then extra fields in order; no
 * key twice, absent values left out.
 */
export function composeV3SubPairs(
  kind: TokenSubjectKind,
  claims: PrincipalClaims,
  extraSubFields: readonly string[],
): SubPair[] {
  const pairs: SubPair[] = [];
  for (const key of v3SubKeys(kind, extraSubFields)) {
    const value = resolveSubField(claims, key);
    if (value !== undefined) pairs.push([key, value]);
  }
  return pairs;
}

/** A V3 configuration's keys for a kind: the kind's defaults, then the extra fields not yet listed. */
function v3SubKeys(kind: TokenSubjectKind, extraSubFields: readonly string[]): string[] {
  const defaults = subDefaultKeys(kind);
  return [
    ...defaults,
    ...extraSubFields.filter((key, i) => !defaults.includes(key) && extraSubFields.indexOf(key) === i),
  ];
}

export function composeV3Sub(
  kind: TokenSubjectKind,
  claims: PrincipalClaims,
  extraSubFields: readonly string[],
): string {
  return joinSubPairs(composeV3SubPairs(kind, claims, extraSubFields));
}

/**
 * The legacy path-shaped `sub` of docs/tokens.md#v2-legacy-path-shaped-sub (relying parties match its
 * prefixes): the organization, an environment's project when it has one, then the principal.
 */
export function composeV2Sub(subject: TokenSubject): string {
  const project =
    subject.kind === 'environment' && subject.environment.projectId
      ? `/prj:${subject.environment.projectId}`
      : '';
  return `org:${subjectOrganizationId(subject)}${project}/${v2SubSegment(subject.kind)}:${subjectId(subject)}`;
}

/** The `sub` a subject gets under an organization's configuration. */
export function subjectSub(subject: TokenSubject, config: OidcConfig): string {
  if (config.version === 'v2') return composeV2Sub(subject);
  return composeV3Sub(subject.kind, buildPrincipalClaims(subject), config.extraSubFields);
}

/** A subject's `sub` under the current and a proposed configuration; `sub` is the proposed one. */
export interface SubjectSubs {
  subject: TokenSubject;
  before: string;
  sub: string;
}

/** `sub` extended with the pairs of `keys[from..to)`, read by `readers` (absent values left out). */
function appendPairs(
  sub: string,
  subject: TokenSubject,
  keys: readonly string[],
  readers: readonly SubFieldReader[],
  from: number,
  to: number,
): string {
  let out = sub;
  for (let i = from; i < to; i++) {
    const value = readers[i]!(subject);
    if (value === undefined) continue;
    const pair = `${keys[i]}:${encodeSubValue(value)}`;
    out = out === '' ? pair : `${out}:${pair}`;
  }
  return out;
}

/**
 * For one kind, a function giving a subject's sub under `before` and `after` as subjectSub would: each
 * field read straight from the records (sub-field-readers.ts), and the keys both V3 configurations
 * start with (the kind's defaults, at least) composed once for the two; V2 needs no fields.
 */
function kindSubsComposer(kind: TokenSubjectKind, before: OidcConfig, after: OidcConfig) {
  const keysOf = (config: OidcConfig) =>
    config.version === 'v3' ? v3SubKeys(kind, config.extraSubFields) : undefined;
  const beforeKeys = keysOf(before);
  const afterKeys = keysOf(after);
  const readersOf = (keys: string[] | undefined) => keys?.map((key) => subFieldReader(kind, key)) ?? [];
  const beforeReaders = readersOf(beforeKeys);
  const afterReaders = readersOf(afterKeys);
  let shared = 0;
  while (
    beforeKeys &&
    afterKeys &&
    shared < beforeKeys.length &&
    shared < afterKeys.length &&
    beforeKeys[shared] === afterKeys[shared]
  )
    shared++;
  const under = (subject: TokenSubject, prefix: string, keys: string[] | undefined, all: SubFieldReader[]) =>
    keys ? appendPairs(prefix, subject, keys, all, shared, keys.length) : composeV2Sub(subject);
  return (subject: TokenSubject): SubjectSubs => {
    const prefix = shared > 0 ? appendPairs('', subject, afterKeys!, afterReaders, 0, shared) : '';
    return {
      subject,
      before: under(subject, prefix, beforeKeys, beforeReaders),
      sub: under(subject, prefix, afterKeys, afterReaders),
    };
  };
}

/**
 * Every subject's `sub` under `before` and under `after`, exactly as subjectSub gives them, for tens of
 * thousands of principals (an organization-wide preview): no claims are built, and what the two
 * configurations share is composed once.
 */
export function subjectSubs(
  subjects: Iterable<TokenSubject>,
  before: OidcConfig,
  after: OidcConfig,
): SubjectSubs[] {
  const composers = new Map<TokenSubjectKind, ReturnType<typeof kindSubsComposer>>();
  const out: SubjectSubs[] = [];
  for (const subject of subjects) {
    let compose = composers.get(subject.kind);
    if (!compose) {
      compose = kindSubsComposer(subject.kind, before, after);
      composers.set(subject.kind, compose);
    }
    out.push(compose(subject));
  }
  return out;
}
