import fc from 'fast-check';
import { z } from 'zod';
import { uuidPattern } from '../../../src/core/ids.ts';
import type { MethodDefinition } from '../../../src/server/connect/define-method.ts';
import type { FieldHints } from './field-hints.ts';
import { hostileValue, textUnit } from './hostile-values.ts';

/**
 * Request bodies derived from a method's zod schema (through its JSON Schema, as zod 4 writes it for
 * the input side): mostly plausible values (what the schema allows, what the field hints name),
 * sometimes values of the wrong type or shape, required fields left out, fields nobody asked for.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

export const inputSchemaOf = (method: MethodDefinition): JsonSchema =>
  z.toJSONSchema(method.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** A schema that says nothing about its value (z.unknown(), z.any()). */
const allowsAnything = (schema: JsonSchema): boolean =>
  schema.type === undefined &&
  !schema.anyOf &&
  !schema.oneOf &&
  !schema.allOf &&
  !schema.enum &&
  schema.const === undefined &&
  !schema.properties;

/** The paths of fields that allow anything and have no hint: no plausible value can be made for them. */
export function fieldsWithoutGenerator(schema: JsonSchema, hints: FieldHints, path: string[] = []): string[] {
  const field = path.at(-1);
  if (field !== undefined && Object.hasOwn(hints, field)) return [];
  if (allowsAnything(schema)) return [path.join('.') || '(body)'];
  const nested = [
    ...Object.entries(schema.properties ?? {}).map(([name, sub]) => [sub, [...path, name]] as const),
    ...(schema.items ? [[schema.items, [...path, `${field ?? ''}[]`]] as const] : []),
    ...[...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].map(
      (sub) => [sub, path] as const,
    ),
  ];
  return nested.flatMap(([sub, at]) => fieldsWithoutGenerator(sub, hints, [...at]));
}

export class SchemaArbitraries {
  constructor(
    private readonly hints: FieldHints,
    /** Every ID the fixture holds, for UUID fields without a hint. */
    private readonly ids: string[],
  ) {}

  /** A body for `schema`: a plausible one mostly, one gone wrong somewhere sometimes. */
  body(schema: JsonSchema): fc.Arbitrary<unknown> {
    return fc.oneof(
      { weight: 12, arbitrary: this.#plausible(schema, undefined) },
      { weight: 1, arbitrary: hostileValue },
    );
  }

  /** A value for `field`: its hint or what its schema allows, now and then a hostile value. */
  value(schema: JsonSchema, field: string | undefined): fc.Arbitrary<unknown> {
    return fc.oneof(
      { weight: 7, arbitrary: this.#plausible(schema, field) },
      { weight: 1, arbitrary: hostileValue },
    );
  }

  /** The field's hint, or (for a field without one) what its schema allows. */
  plausible(schema: JsonSchema | undefined, field: string | undefined): fc.Arbitrary<unknown> {
    return schema ? this.#plausible(schema, field) : (this.#hinted(field) ?? hostileValue);
  }

  #hinted(field: string | undefined): fc.Arbitrary<unknown> | undefined {
    // Own names only: a field may be called `constructor` or `__proto__`.
    return field !== undefined && Object.hasOwn(this.hints, field) ? this.hints[field] : undefined;
  }

  #plausible(schema: JsonSchema, field: string | undefined): fc.Arbitrary<unknown> {
    const hint = this.#hinted(field);
    if (hint) {
      return allowsAnything(schema)
        ? hint
        : fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: this.#fromSchema(schema, field) });
    }
    return this.#fromSchema(schema, field);
  }

  #fromSchema(schema: JsonSchema, field: string | undefined): fc.Arbitrary<unknown> {
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives) return fc.oneof(...alternatives.map((sub) => this.#plausible(sub, field)));
    if (schema.allOf?.length) return this.#plausible(schema.allOf[0]!, field);
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    if (Array.isArray(schema.type)) {
      return fc.oneof(...schema.type.map((type) => this.#fromSchema({ ...schema, type }, field)));
    }
    switch (schema.type) {
      case 'object':
        return this.#object(schema);
      case 'array':
        return fc.array(this.value(schema.items ?? {}, field), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min((schema.maxItems ?? 4) + 1, 14),
        });
      case 'string':
        return this.#string(schema);
      case 'integer':
      case 'number':
        return this.#number(schema);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      default:
        return hostileValue;
    }
  }

  #object(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
    const required = new Set(schema.required ?? []);
    const fields = Object.entries(schema.properties ?? {}).map(([name, sub]) =>
      fc
        .option(this.value(sub, name), { freq: required.has(name) ? 25 : 2, nil: undefined })
        .map((value) => [name, value] as const),
    );
    const extra = fc.option(
      fc.tuple(fc.constantFrom('extra', '__proto__', 'constructor', 'organizationId', ''), hostileValue),
      { freq: 10, nil: undefined },
    );
    return fc
      .tuple(fc.tuple(...fields), extra)
      .map(([entries, added]) =>
        Object.fromEntries(
          [...entries, ...(added ? [added] : [])].filter(([, value]) => value !== undefined),
        ),
      );
  }

  #string(schema: JsonSchema): fc.Arbitrary<string> {
    if (schema.pattern === uuidPattern.source) {
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...this.ids) },
        { weight: 1, arbitrary: fc.uuid() },
      );
    }
    if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
    const min = schema.minLength ?? 0;
    const max = schema.maxLength;
    const edges = max === undefined ? [] : ['x'.repeat(max), 'x'.repeat(max + 1)];
    return fc.oneof(
      {
        weight: 6,
        arbitrary: fc.string({ unit: textUnit, minLength: min, maxLength: Math.min(max ?? 40, 40) }),
      },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', ...edges) },
    );
  }

  #number(schema: JsonSchema): fc.Arbitrary<number> {
    const min = schema.minimum ?? -(2 ** 31);
    const max = schema.maximum ?? 2 ** 31;
    const integer = schema.type === 'integer';
    return fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min, max }) },
      { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, min, max) },
      ...(integer ? [] : [{ weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) }]),
    );
  }
}
