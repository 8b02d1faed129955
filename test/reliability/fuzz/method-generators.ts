import type { MethodDefinition } from '../../../src/server/connect/define-method.ts';
import { queryArbitrary } from './call-arbitrary.ts';
import { fieldHints } from './field-hints.ts';
import type { FuzzFixture } from './fuzz-fixture.ts';
import type { MethodExample } from './method-examples.ts';
import { inputSchemaOf, SchemaArbitraries } from './schema-arbitrary.ts';

/**
 * What one method's calls are made from, in the order callArbitrary and rawCallArbitrary take them:
 * its valid example, its input schema, the schema arbitraries with the fixture's field hints, and
 * page-token queries.
 */
export function generatorsOf(fixture: FuzzFixture, definition: MethodDefinition, example: MethodExample) {
  const hints = fieldHints(fixture);
  return [
    example,
    inputSchemaOf(definition),
    new SchemaArbitraries(hints, Object.values(fixture.ids)),
    queryArbitrary(hints.token!),
  ] as const;
}
