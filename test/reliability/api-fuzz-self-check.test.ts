import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { invalidArgument, permissionDenied } from '../../src/core/errors.ts';
import { newId } from '../../src/core/ids.ts';
import { defineMethod, type MethodDefinition } from '../../src/server/connect/define-method.ts';
import { uuid } from '../../src/server/connect/validation.ts';
import { callArbitrary } from './fuzz/call-arbitrary.ts';
import { checkProperty } from './fuzz/check-property.ts';
import type { FuzzFixture } from './fuzz/fuzz-fixture.ts';
import { FuzzHarness } from './fuzz/fuzz-harness.ts';
import { readFuzzSettings } from './fuzz/fuzz-settings.ts';
import { describeProblems, judgeCall } from './fuzz/judge-call.ts';
import type { MethodExample } from './fuzz/method-examples.ts';
import { generatorsOf } from './fuzz/method-generators.ts';

/**
 * The fuzz finds what it claims to: methods with a planted defect each, served next to the real ones,
 * are fuzzed as every method is (with a fixed seed, and the known-defects list ignored) and each fuzz
 * must fail naming its defect.
 */

const service = 'PlantedService';
const plant = (method: string, definition: Omit<MethodDefinition, 'service' | 'method'>) =>
  defineMethod({ service, method, ...definition } as MethodDefinition);

interface Planted {
  definition: MethodDefinition;
  example: (ids: FuzzFixture['ids']) => MethodExample;
  /** The problem the fuzz must report. */
  found: RegExp;
}

const planted: Planted[] = [
  {
    // A character input validation lets through (NUL and lone surrogates it refuses, once fixed).
    definition: plant('CrashOnBidiOverride', {
      input: z.object({ name: z.string() }),
      handler: async (input: { name: string }) => {
        if (input.name.includes('\u202e')) throw new Error('planted: a right-to-left override crashed it');
        return {};
      },
    }),
    example: () => ({ as: 'orgAdmin', body: { name: 'web' } }),
    found: /^status: answered 500/m,
  },
  {
    definition: plant('WriteThenRefuse', {
      input: z.object({}),
      handler: async (_input, { store, clock }) => {
        const at = clock.now();
        await store.organizations.insert({
          id: newId(),
          name: 'planted',
          oidcConfig: { version: 'v3', extraSubFields: [] },
          createdAt: at,
        });
        throw permissionDenied('planted: refused after writing');
      },
    }),
    example: () => ({ as: 'orgAdmin', body: {} }),
    found: /^state: refused with 403, yet changed organizations/m,
  },
  {
    definition: plant('EchoCredential', {
      input: z.object({}),
      handler: async (_input, { request }) => {
        throw invalidArgument('authorization', `planted: ${request.headers.authorization} is odd`);
      },
    }),
    example: () => ({ as: 'orgMember', body: {} }),
    found: /^secret: the error repeats/m,
  },
  {
    definition: plant('ReadAcrossOrganizations', {
      input: z.object({ runnerId: uuid() }),
      handler: async (input: { runnerId: string }, { store }) => ({
        runner: await store.runners.find(input.runnerId),
      }),
    }),
    example: (ids) => ({ as: 'orgMember', body: { runnerId: ids['a.runner'] } }),
    found: /^isolation: another organization's credential was answered/m,
  },
  {
    definition: plant('AnswerList', {
      input: z.object({}),
      handler: async () => ['planted: a list where a message belongs'],
    }),
    example: () => ({ as: 'orgMember', body: {} }),
    found: /^shape: the body is not a JSON object/m,
  },
];

describe('the API fuzz on planted defects', () => {
  const settings = { ...readFuzzSettings(), seed: 1, path: undefined, strict: true };
  let harness: FuzzHarness;
  beforeAll(async () => {
    harness = await FuzzHarness.start(
      'pglite',
      planted.map((entry) => entry.definition),
    );
  });
  afterAll(async () => {
    await harness?.close();
  });

  it.each(planted.map((entry) => [entry.definition.method, entry] as const))(
    'finds %s',
    async (method, entry) => {
      const example = entry.example(harness.fixture.ids);
      const name = `${service}/${method}`;
      const fuzz = checkProperty(
        { seedKey: name, filter: name },
        callArbitrary(name, ...generatorsOf(harness.fixture, entry.definition, example)),
        async (call) => {
          const judged = await judgeCall(harness, call, settings);
          if (judged.problems.length > 0) throw new Error(describeProblems(judged));
        },
        settings,
        { numRuns: 300, timeLimitMs: 60_000 },
      );
      const failure = await fuzz.then(
        () => undefined,
        (error: Error) => error,
      );
      expect(failure, `the fuzz did not find ${method}`).toBeDefined();
      expect(String((failure!.cause as Error | undefined)?.message)).toMatch(entry.found);
    },
  );
});
