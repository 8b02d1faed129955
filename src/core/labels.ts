import type { Labels } from './domain/labels.ts';
import { invalidArgument } from './errors.ts';

/**
 * Label rules, after Kubernetes' (docs/decisions/0191-labels-as-claims.md): short lower-case keys that
 * are safe as claim names and `sub` field keys, values of printable text. No `example.com/` prefix: the
 * labels are one organization's own, and a `/` would be one more character for relying parties' glob
 * and claim-name rules to trip over.
 */
export const maxLabels = 64;
export const maxLabelKeyLength = 63;
export const maxLabelValueLength = 256;

const keyShape = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;
const controlCharacter = /\p{Cc}/u;

export const labelKeyRule = `1-${maxLabelKeyLength} characters of a-z, 0-9, ".", "_" and "-", starting and ending with a letter or digit`;

/** Why `key` cannot be a label key, or undefined when it can. */
export function labelKeyProblem(key: string): string | undefined {
  if (key.length === 0 || key.length > maxLabelKeyLength || !keyShape.test(key)) {
    return `the key must be ${labelKeyRule}`;
  }
  return undefined;
}

/** Why `value` cannot be a label value, or undefined when it can. */
export function labelValueProblem(value: string): string | undefined {
  // Counted in code points: what a person counts, and never more than the UTF-16 length.
  if ([...value].length > maxLabelValueLength)
    return `the value must be at most ${maxLabelValueLength} characters`;
  if (controlCharacter.test(value))
    return 'the value must not contain control characters (tabs, newlines, ...)';
  return undefined;
}

/** `field["key"]`, the way an error names one label. */
export const labelField = (field: string, key: string) => `${field}[${JSON.stringify(key)}]`;

/** Throws invalid_argument naming the first bad label (`labels["key"]`) and the rule it breaks. */
function assertValidEntries(labels: Labels): void {
  for (const [key, value] of Object.entries(labels)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) throw invalidArgument(labelField('labels', key), problem);
  }
}

/** The labels a resource is created with, checked and in their stored form. */
export function newLabels(labels: Labels | undefined): Labels | undefined {
  assertValidEntries(labels ?? {});
  return normalizeLabels(labels);
}

/** What an update asks: labels to set (added or replaced) and keys to remove. */
export interface LabelChange {
  set?: Labels | undefined;
  remove?: readonly string[] | undefined;
}

/** Throws invalid_argument for a change that could never apply, before anything is read. */
export function assertValidLabelChange(change: LabelChange): void {
  const set = change.set ?? {};
  assertValidEntries(set);
  for (const [index, key] of (change.remove ?? []).entries()) {
    if (Object.hasOwn(set, key)) {
      throw invalidArgument(`removeLabels[${index}]`, `"${key}" is also set in labels; set it or remove it`);
    }
  }
}

/**
 * The labels after `change`; undefined for none.
 * Removing a key that is not there is no error (the outcome is what was asked). Refuses a result with
 * more than maxLabels.
 */
export function applyLabelChange(current: Labels | undefined, change: LabelChange): Labels | undefined {
  const next: Labels = { ...current, ...change.set };
  for (const key of change.remove ?? []) delete next[key];
  return normalizeLabels(next);
}

/** Undefined for none (the stored form). Checks the count. */
function normalizeLabels(labels: Labels | undefined): Labels | undefined {
  const count = Object.keys(labels ?? {}).length;
  if (count > maxLabels) throw invalidArgument('labels', `at most ${maxLabels} labels per resource`);
  return count === 0 ? undefined : labels;
}

/**
 * The labels in key order: how the API and tokens show them, whatever order the database kept (jsonb
 * orders keys by length first).
 */
export const sortedLabels = (labels: Labels): Labels =>
  Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Whether two label sets hold the same pairs. */
export function sameLabels(a: Labels | undefined, b: Labels | undefined): boolean {
  const left = Object.entries(a ?? {});
  const right = b ?? {};
  return left.length === Object.keys(right).length && left.every(([key, value]) => right[key] === value);
}
