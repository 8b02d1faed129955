import fc from 'fast-check';

/**
 * Values a careless or hostile client sends where the API expects something else: odd Unicode (lone
 * surrogates, NUL, bidi overrides, non-characters), wrong types, numbers at and past every limit, deep
 * nesting, dates at the ends of what JavaScript and PostgreSQL can hold.
 */

/** Characters that have broken servers: each is inserted into valid strings, too. */
export const hostileCharacters = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '\ufffe',
  '\uffff',
  '\u202e',
  '\u200b',
  '\ufeff',
  '\u0085',
  '\u2028',
  '\r\n',
  '\t',
  '🦄',
  '\u0301',
  '%00',
  '\\',
  '"',
  "'",
] as const;

/** Times at the edges: JavaScript's range ends at ±275760 years, PostgreSQL's at 4713 BC and 294276 AD. */
export const edgeTimes = [
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '-004714-01-01T00:00:00.000Z',
  '+294277-01-01T00:00:00.000Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.999999999Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-11-01T24:00:00Z',
  '2026-11-01T00:00:60Z',
  '2026-11-01T00:00:00+24:00',
  '2026-11-01T00:00:00',
  '2026-11-01',
] as const;

const hostileStrings = [
  '',
  ' ',
  '   \t\n',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  '1e999',
  'NaN',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '3f2504e0-4f89-41d3-9a0c-0305e82c3301\n',
  ' 3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  '3f2504e0-4f89-41d3-9a0c-0305e82c330',
  "'; drop table users; --",
  '../../../../etc/passwd',
  '$' + '{jndi:ldap://127.0.0.1/x}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'ORGANIZATION_ROLE_UNSPECIFIED',
  'ENVIRONMENT_PHASE_UNSPECIFIED',
  'x'.repeat(257),
  'x'.repeat(5000),
  '\u0000'.repeat(64),
  '\ud800'.repeat(64),
  'é'.normalize('NFD').repeat(100),
  ...hostileCharacters,
  ...edgeTimes,
];

/** Mostly printable ASCII, now and then a hostile character: for strings that should otherwise pass. */
export const textUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.string({ minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(...hostileCharacters) },
);

/** Any code unit at all, lone surrogates included. */
const anyCodeUnits = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)),
});

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 1, arbitrary: anyCodeUnits },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

export const edgeNumbers = [
  0,
  -0,
  -1,
  0.5,
  1.5,
  101,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  1e21,
] as const;

/** Nesting deep enough to find a recursive walk, shallow enough for JSON.stringify in the test. */
const deeplyNested = fc.integer({ min: 20, max: 400 }).chain((depth) =>
  fc.constantFrom<unknown>(
    Array.from({ length: depth }).reduce<unknown>((inner) => [inner], []),
    Array.from({ length: depth }).reduce<unknown>((inner) => ({ a: inner }), {}),
  ),
);

/** A value of any JSON type but the expected one (or the expected one, gone wrong). */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': '' }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(...edgeNumbers) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }) },
  { weight: 1, arbitrary: deeplyNested },
);

/** `value` with a hostile character put in at some place. */
export const poisonString = (value: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...hostileCharacters), fc.nat({ max: value.length }))
    .map(([character, at]) => value.slice(0, at) + character + value.slice(at));
