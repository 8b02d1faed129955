import fc from 'fast-check';
import { apiPrefix } from '../../../src/server/connect/register-methods.ts';
import { badAuthorizations, type FuzzCall, mutations } from './call-arbitrary.ts';
import { type CredentialKind, credentialKinds } from './fuzz-fixture.ts';
import { edgeNumbers, hostileValue } from './hostile-values.ts';
import { changeAt, type JsonPath, pathsOf } from './json-paths.ts';
import type { MethodExample } from './method-examples.ts';
import type { JsonSchema, SchemaArbitraries } from './schema-arbitrary.ts';

/**
 * Requests as bytes on a socket, what inject() and JSON.stringify cannot send: invalid JSON, invalid
 * UTF-8 and raw NUL bytes inside strings, numbers no double holds, nesting thousands deep, duplicate
 * keys, prototype keys, bodies over the size limit, other encodings and content types, other HTTP
 * verbs and paths. Each is kept as a readable description and turned into bytes when sent.
 */

export interface RawCall {
  verb: string;
  method: string;
  path: string;
  contentType: string | undefined;
  as: CredentialKind;
  authorization?: string;
  /** The body as text, but for `splices`. */
  body: string;
  /** Stand-ins in `body` for bytes too odd or too many to show: `marker` becomes `hex` `times` over. */
  splices?: Splice[];
  encoding?: 'utf16le';
  query?: string;
  chunked?: boolean;
}

export interface Splice {
  marker: string;
  hex: string;
  times: number;
}

/** Stand in the JSON text for what JSON.stringify cannot write (private-use characters). */
const marker = '\ue000';
const closing = '\ue001';
const markerJson = JSON.stringify(marker);
const hexOf = (text: string) => Buffer.from(text).toString('hex');

/** Bytes that are not UTF-8 (or not allowed raw inside a JSON string). */
const badBytes = ['ff', 'fe', 'c080', 'c0af', 'eda080', 'edbfbf', 'f4908080', 'e282', '00', '0a', '1f'];

/** Literals no JSON.stringify writes: numbers past a double, non-JSON numbers and words. */
const oddLiterals = [
  '1e999',
  '-1e999',
  '1E+400',
  '123456789012345678901234567890123456789',
  '0.000000000000000000000000000000000000000000000000000000000000000000000000001e-400',
  '-0',
  '1.7976931348623157e309',
  'NaN',
  'Infinity',
  'undefined',
  '0x10',
  '.5',
  '+1',
  '01',
  "'single'",
];

/** A value nested `depth` deep: `[[[…]]]` or `{"a":{"a":…1}}`. */
const deepValues = fc.tuple(fc.constantFrom(1000, 10_000, 100_000), fc.boolean()).map(([depth, arrays]) => ({
  literal: `${marker}${arrays ? '' : '1'}${closing}`,
  splices: [
    { marker, hex: hexOf(arrays ? '[' : '{"a":'), times: depth },
    { marker: closing, hex: hexOf(arrays ? ']' : '}'), times: depth },
  ],
}));

/** `body` as JSON text with the value at a path written as `literal` verbatim. */
function withLiteral(body: unknown, path: JsonPath, literal: string): string {
  return JSON.stringify(changeAt(body, path, () => marker)).replace(markerJson, () => literal);
}

const wholeBodies = [
  '',
  '   ',
  'nul',
  '{',
  '}',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}{"b":2}',
  '{"a":1} x',
  '/* comment */ {}',
  '\ufeff{}',
  'null',
  '[]',
  '42',
  '"text"',
  'true',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
];

const contentTypes = [
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'Application/JSON',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/connect+json',
  'application/proto',
  'application/jsonx',
  'application/json, text/plain',
  ';;;',
  '',
];

const otherVerbs = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

function bodies(example: MethodExample, schema: JsonSchema, arbitraries: SchemaArbitraries) {
  const json = JSON.stringify(example.body);
  const paths = pathsOf(example.body);
  const inner = paths.filter((path) => path.length > 0);
  const atSomePath = fc.constantFrom(...(inner.length > 0 ? inner : paths));
  const text = (body: string) => ({ body });
  return fc.oneof(
    {
      weight: 3,
      arbitrary: mutations(example.body, schema, arbitraries).map((value) => text(JSON.stringify(value))),
    },
    { weight: 2, arbitrary: arbitraries.body(schema).map((value) => text(JSON.stringify(value))) },
    {
      weight: 3,
      arbitrary: fc.tuple(atSomePath, fc.constantFrom(...badBytes)).map(([path, hex]) => ({
        body: withLiteral(example.body, path, `"x${marker}y"`),
        splices: [{ marker, hex, times: 1 }],
      })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          atSomePath,
          fc.oneof(fc.constantFrom(...oddLiterals), fc.constantFrom(...edgeNumbers).map(String)),
        )
        .map(([path, literal]) => text(withLiteral(example.body, path, literal))),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(atSomePath, deepValues).map(([path, { literal, splices }]) => ({
        body: withLiteral(example.body, path, literal),
        splices,
      })),
    },
    { weight: 2, arbitrary: fc.constantFrom(...wholeBodies).map(text) },
    {
      weight: 1,
      arbitrary: fc.nat({ max: Math.max(json.length - 1, 0) }).map((end) => text(json.slice(0, end))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...Object.keys(example.body), 'a'), hostileValue)
        .map(([key, value]) =>
          text(
            `${json.slice(0, -1)}${json.length > 2 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value)}}`,
          ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(1024 * 1024 + 1, 1024 * 1024 - 64).map((size) => ({
        body: `{"name":"${marker}"}`,
        splices: [{ marker, hex: hexOf('x'), times: size - 11 }],
      })),
    },
  );
}

export function rawCallArbitrary(
  method: string,
  example: MethodExample,
  schema: JsonSchema,
  arbitraries: SchemaArbitraries,
  query: fc.Arbitrary<string>,
): fc.Arbitrary<RawCall> {
  const path = `${apiPrefix}${method}`;
  const paths = fc.oneof(
    { weight: 12, arbitrary: fc.constant(path) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        path.toLowerCase(),
        `${path}/`,
        `${path}/extra`,
        `/${path}`,
        path.replace(/\/([^/]*)$/, '%2F$1'),
        `${apiPrefix}NoSuchService/${method.split('/')[1]}`,
        '/api/',
        '/api/gitpod.v1.',
      ),
    },
  );
  const credential = fc.oneof(
    { weight: 3, arbitrary: fc.constant({ as: example.as }) },
    { weight: 3, arbitrary: fc.constantFrom(...credentialKinds).map((as) => ({ as })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...badAuthorizations)
        .map((authorization) => ({ as: 'malformed' as const, authorization })),
    },
  );
  return fc
    .record({
      verb: fc.oneof(
        { weight: 15, arbitrary: fc.constant('POST') },
        { weight: 1, arbitrary: fc.constantFrom(...otherVerbs) },
      ),
      path: paths,
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constant<string | undefined>('application/json') },
        { weight: 2, arbitrary: fc.constantFrom<string | undefined>(...contentTypes, undefined) },
      ),
      credential,
      body: bodies(example, schema, arbitraries),
      utf16: fc.boolean(),
      query: fc.option(query, { freq: 6, nil: undefined }),
      chunked: fc.option(fc.constant(true), { freq: 8, nil: undefined }),
    })
    .map(({ verb, path, contentType, credential, body, utf16, query, chunked }) => ({
      verb,
      method,
      path,
      contentType,
      ...credential,
      ...body,
      ...(utf16 && contentType?.includes('utf-16') ? { encoding: 'utf16le' as const } : {}),
      ...(query !== undefined ? { query } : {}),
      ...(chunked ? { chunked } : {}),
    }));
}

/** The bytes a raw call sends as its body. */
export function rawBodyOf(call: RawCall): Buffer {
  let body = Buffer.from(call.body, call.encoding ?? 'utf8');
  for (const splice of call.splices ?? []) {
    const stand = Buffer.from(splice.marker, call.encoding ?? 'utf8');
    const bytes = Buffer.from(splice.hex.repeat(splice.times), 'hex');
    const parts: Buffer[] = [];
    let rest = body;
    for (let at = rest.indexOf(stand); at >= 0; at = rest.indexOf(stand)) {
      parts.push(rest.subarray(0, at), bytes);
      rest = rest.subarray(at + stand.length);
    }
    body = Buffer.concat([...parts, rest]);
  }
  return body;
}

/** The FuzzCall fields authorizationOf needs. */
export const credentialOf = (call: RawCall): Pick<FuzzCall, 'as' | 'authorization'> =>
  call.authorization !== undefined ? { as: call.as, authorization: call.authorization } : { as: call.as };
