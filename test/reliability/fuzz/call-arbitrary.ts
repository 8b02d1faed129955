import fc from 'fast-check';
import { type CredentialKind, credentialKinds } from './fuzz-fixture.ts';
import { hostileValue, poisonString } from './hostile-values.ts';
import { changeAt, fieldAt, isPlainObject, type JsonPath, pathsOf, valueAt } from './json-paths.ts';
import type { MethodExample } from './method-examples.ts';
import type { JsonSchema, SchemaArbitraries } from './schema-arbitrary.ts';

/**
 * The calls the fuzz makes of one method: its valid example with every kind of credential, the example
 * mutated (a value replaced by a hostile or another plausible one, for instance the other
 * organization's ID; a field dropped or added; a hostile character put into every string), bodies
 * made from the method's schema, and Authorization headers that are not quite right.
 */

export interface FuzzCall {
  /** `Service/Method`. */
  method: string;
  as: CredentialKind;
  /** Sent instead of `Bearer <secret>`; `{kind}` stands for that credential's secret. */
  authorization?: string;
  body: unknown;
  /** A query string (the SDK sends page tokens there). */
  query?: string;
  origin: 'example' | 'mutated' | 'schema' | 'header';
}

/** Authorization headers that must all be refused as unauthenticated. */
export const badAuthorizations = [
  'Bearer',
  'Bearer ',
  'bearer {installationAdmin}',
  'BEARER {installationAdmin}',
  'Basic dXNlcjpwYXNzd29yZA==',
  'Token {orgAdmin}',
  '{orgAdmin}',
  'Bearer  {orgAdmin}',
  'Bearer {orgAdmin} {orgMember}',
  'Bearer {orgAdmin},Bearer {orgMember}',
  'Bearer "{orgAdmin}"',
  'Bearer {orgAdmin}x',
  `Bearer envid_adm_${'A'.repeat(201)}`,
  `Bearer envid_pat_${'A'.repeat(31)}`,
  `Bearer ${'x'.repeat(4000)}`,
  'Bearer envid_pat_\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9',
] as const;

/** Bytes as %XX, so that any string (lone surrogates too) makes a valid query. */
const percentEncode = (value: string): string =>
  [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

export const queryArbitrary = (pageTokens: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof(
    pageTokens.map((token) => `token=${percentEncode(String(token))}`),
    fc.constantFrom(
      'pageSize=0',
      'pageSize=101',
      'pageSize=1e2',
      'pageSize=-1',
      'pageSize=abc',
      'pageSize=1',
    ),
    fc.constantFrom(
      'token=a&token=b',
      'pageSize=1&pageSize=2',
      'token',
      'token[]=x',
      'token[a]=b',
      '%zz',
      '&&=&',
    ),
  );

/** A hostile character put into every string in `value`. */
function poisonStrings(value: unknown): fc.Arbitrary<unknown> {
  if (typeof value === 'string') return poisonString(value);
  if (Array.isArray(value)) return value.length ? fc.tuple(...value.map(poisonStrings)) : fc.constant(value);
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return fc.constant(value);
    return fc
      .tuple(...entries.map(([key, item]) => poisonStrings(item).map((poisoned) => [key, poisoned] as const)))
      .map((pairs) => Object.fromEntries(pairs));
  }
  return fc.constant(value);
}

/** The schema of the value at `path`, where the schema says. */
function schemaAt(schema: JsonSchema, path: JsonPath): JsonSchema | undefined {
  let current: JsonSchema | undefined = schema;
  for (const key of path) {
    if (!current) return undefined;
    current = typeof key === 'number' ? current.items : current.properties?.[key];
  }
  return current;
}

/** One change to `value`. */
function mutateOnce(
  value: unknown,
  schema: JsonSchema,
  arbitraries: SchemaArbitraries,
): fc.Arbitrary<unknown> {
  const paths = pathsOf(value);
  const inner = paths.filter((path) => path.length > 0);
  const objects = paths.filter((path) => isPlainObject(valueAt(value, path)));
  const set = (path: JsonPath, next: unknown) => changeAt(value, path, () => next);
  const changes: fc.Arbitrary<unknown>[] = [
    fc.tuple(fc.constantFrom(...paths), hostileValue).map(([path, next]) => set(path, next)),
    poisonStrings(value),
    poisonStrings(value),
    fc.constantFrom(...paths).map((path) => set(path, [valueAt(value, path)])),
  ];
  if (inner.length > 0) {
    changes.push(
      fc.constantFrom(...inner).map((path) => set(path, undefined)),
      fc
        .constantFrom(...inner)
        .chain((path) =>
          arbitraries.plausible(schemaAt(schema, path), fieldAt(path)).map((next) => set(path, next)),
        ),
    );
  }
  if (objects.length > 0) {
    changes.push(
      fc
        .tuple(
          fc.constantFrom(...objects),
          fc.constantFrom('extra', '__proto__', 'organizationId', ''),
          hostileValue,
        )
        .map(([path, name, next]) =>
          changeAt(value, path, (object) => ({ ...(object as object), [name]: next })),
        ),
    );
  }
  return fc.oneof(...changes);
}

export function mutations(
  body: unknown,
  schema: JsonSchema,
  arbitraries: SchemaArbitraries,
): fc.Arbitrary<unknown> {
  const once = (value: unknown) => mutateOnce(value, schema, arbitraries);
  return fc.oneof(
    { weight: 3, arbitrary: once(body) },
    { weight: 2, arbitrary: once(body).chain(once) },
    { weight: 1, arbitrary: once(body).chain(once).chain(once) },
  );
}

export function callArbitrary(
  method: string,
  example: MethodExample,
  schema: JsonSchema,
  arbitraries: SchemaArbitraries,
  query: fc.Arbitrary<string>,
): fc.Arbitrary<FuzzCall> {
  const anyone = fc.constantFrom(...credentialKinds);
  const mostlyTheExample = fc.oneof(
    { weight: 3, arbitrary: fc.constant(example.as) },
    { weight: 1, arbitrary: anyone },
  );
  const call = (origin: FuzzCall['origin'], as: fc.Arbitrary<CredentialKind>, body: fc.Arbitrary<unknown>) =>
    fc
      .record({ as, body, query: fc.option(query, { freq: 8, nil: undefined }) })
      .map(({ as, body, query }) => ({
        method,
        as,
        body,
        origin,
        ...(query !== undefined ? { query } : {}),
      }));
  return fc.oneof(
    { weight: 2, arbitrary: call('example', anyone, fc.constant(example.body)) },
    { weight: 4, arbitrary: call('mutated', mostlyTheExample, mutations(example.body, schema, arbitraries)) },
    { weight: 3, arbitrary: call('schema', mostlyTheExample, arbitraries.body(schema)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...badAuthorizations).map(
        (authorization): FuzzCall => ({
          method,
          as: 'malformed',
          authorization,
          body: example.body,
          origin: 'header',
        }),
      ),
    },
  );
}

/** The Authorization header a call sends, if any. */
export function authorizationOf(
  call: Pick<FuzzCall, 'as' | 'authorization'>,
  secrets: Record<string, string>,
) {
  if (call.authorization !== undefined) {
    return call.authorization.replace(/\{(\w+)\}/g, (_, kind: string) => secrets[kind] ?? kind);
  }
  return call.as === 'none' ? undefined : `Bearer ${secrets[call.as]}`;
}
