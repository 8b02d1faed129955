import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiMethods } from '../../src/server/routes/api/index.ts';
import { engines } from '../support/databases.ts';
import { callArbitrary } from './fuzz/call-arbitrary.ts';
import { callCounts, checkProperty } from './fuzz/check-property.ts';
import { fieldHints } from './fuzz/field-hints.ts';
import { FuzzHarness } from './fuzz/fuzz-harness.ts';
import { readFuzzSettings } from './fuzz/fuzz-settings.ts';
import { describeProblems, type Judged, judgeCall, judgeRawCall } from './fuzz/judge-call.ts';
import { methodExamples, methodsNotFuzzed } from './fuzz/method-examples.ts';
import { generatorsOf } from './fuzz/method-generators.ts';
import { rawCallArbitrary } from './fuzz/raw-call-arbitrary.ts';
import { fieldsWithoutGenerator, inputSchemaOf } from './fuzz/schema-arbitrary.ts';

/**
 * A fast-check fuzz of every method the server registers (docs/reliability.md), on every engine:
 * whatever the body and the credential, the answer is a success or a Connect error with its
 * documented status, never a 5xx; a refusal changes no table; no error repeats a credential.
 */

const settings = readFuzzSettings();
console.log(
  `API fuzz: seed ${settings.seed} (replay with ENVID_FUZZ_SEED=${settings.seed}), ` +
    `${settings.runsPerMethod} calls per method, budget ${settings.budgetMs / 1000} s`,
);

const methodName = (method: { service: string; method: string }) => `${method.service}/${method.method}`;
const fuzzed = apiMethods.map(methodName).filter((name) => !(name in methodsNotFuzzed));

/** Each method's share of the budget: the HTTP part counts as ten methods. */
const shareMs = Math.floor(settings.budgetMs / engines.length / (fuzzed.length + 10));

/** Known-defect hits, by defect, reported after the run. */
const excused = new Map<string, { count: number; first: string }>();
function noteExcused(judged: Judged, request: string): void {
  const key = `${judged.excusedBy!.item}: ${judged.excusedBy!.what}`;
  const seen = excused.get(key) ?? {
    count: 0,
    first: `${request} -> ${judged.answer.status} ${judged.answer.text.slice(0, 200)}`,
  };
  seen.count++;
  excused.set(key, seen);
}

afterAll(() => {
  console.log(`API fuzz: ${callCounts.made} calls made, ${callCounts.leftOut} left out for want of time`);
  for (const [defect, { count, first }] of excused) {
    console.log(`known defect excused ${count} time(s): ${defect}\n  e.g. ${first}`);
  }
});

describe('the fuzz covers the API', () => {
  it('has an example for every registered method, and a reason for every method it leaves alone', () => {
    const registered = apiMethods.map(methodName);
    expect(registered.filter((name) => !methodExamples[name] && !methodsNotFuzzed[name])).toEqual([]);
    expect(Object.keys(methodsNotFuzzed).filter((name) => !registered.includes(name))).toEqual([]);
    expect(Object.entries(methodsNotFuzzed).filter(([, reason]) => reason.trim().length < 10)).toEqual([]);
    expect(Object.keys(methodExamples).filter((name) => !registered.includes(name))).toEqual([]);
  });
});

describe.each(engines)('API fuzz on %s', (engine) => {
  let harness: FuzzHarness;
  beforeAll(async () => {
    harness = await FuzzHarness.start(engine);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('can make a value for every field of every method (a field that takes anything needs a hint)', () => {
    const hints = fieldHints(harness.fixture);
    const missing = apiMethods.flatMap((method) =>
      fieldsWithoutGenerator(inputSchemaOf(method), hints).map((field) => `${methodName(method)}: ${field}`),
    );
    expect(missing).toEqual([]);
  });

  const generatorsFor = (name: string) =>
    generatorsOf(
      harness.fixture,
      apiMethods.find((method) => methodName(method) === name)!,
      methodExamples[name]!(harness.fixture.ids, harness.fixture),
    );

  it('answers every example with a success', async () => {
    const failures: string[] = [];
    for (const name of fuzzed) {
      const example = methodExamples[name]!(harness.fixture.ids, harness.fixture);
      const judged = await judgeCall(harness, { method: name, ...example, origin: 'example' }, settings);
      if (judged.answer.status !== 200 || judged.problems.length > 0) {
        failures.push(
          `${name}: ${judged.answer.status} ${judged.answer.text.slice(0, 300)} ${describeProblems(judged)}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it.each(fuzzed)(
    '%s: a success or a Connect error, never a 5xx; a refusal changes nothing',
    async (name) => {
      const calls = callArbitrary(name, ...generatorsFor(name));
      await checkProperty(
        { seedKey: `${engine} ${name}`, filter: name },
        calls,
        async (call) => {
          const judged = await judgeCall(harness, call, settings);
          if (judged.excusedBy) noteExcused(judged, `${name} ${JSON.stringify(call.body).slice(0, 200)}`);
          else if (judged.problems.length > 0) throw new Error(describeProblems(judged));
        },
        settings,
        { numRuns: settings.runsPerMethod, timeLimitMs: shareMs },
      );
    },
  );

  it('answers raw HTTP requests on 127.0.0.1 (bad JSON, bad bytes, odd types and verbs) as it should', async () => {
    const requests = fc
      .constantFrom(...fuzzed)
      .chain((name) => rawCallArbitrary(name, ...generatorsFor(name)));
    await checkProperty(
      { seedKey: `${engine} raw HTTP`, filter: 'raw HTTP' },
      requests,
      async (call) => {
        const judged = await judgeRawCall(harness, call, settings);
        if (judged.excusedBy) noteExcused(judged, `raw ${call.method} ${call.body.slice(0, 200)}`);
        else if (judged.problems.length > 0) throw new Error(describeProblems(judged));
      },
      settings,
      { numRuns: settings.httpRuns, timeLimitMs: shareMs * 10 },
    );
  });
});
