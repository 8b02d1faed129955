import type { Command } from 'commander';
import { labelKeyProblem, labelValueProblem } from '../../core/labels.ts';
import { usageError } from '../../shared/exit-codes.ts';
import { collect } from './flags.ts';

/** `--label key=value` (repeatable), on create and update of projects and environments. */
export const labelOption = (command: Command) =>
  command.option('--label <key=value>', 'set a label (key=value); repeatable', collect);

/** `--remove-label key` (repeatable), on update. */
export const removeLabelOption = (command: Command) =>
  command.option('--remove-label <key>', 'remove a label; repeatable', collect);

/** The `labels` map of the --label flags (absent when none), checked as the server checks them. */
export function parseLabelFlags(values: string[] | undefined): { labels?: Record<string, string> } {
  if (!values || values.length === 0) return {};
  const labels: Record<string, string> = {};
  for (const flag of values) {
    const at = flag.indexOf('=');
    if (at < 0)
      throw usageError(`invalid --label ${JSON.stringify(flag)}: expected key=value, e.g. team=web`);
    const [key, value] = [flag.slice(0, at), flag.slice(at + 1)];
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) throw usageError(`invalid --label ${JSON.stringify(flag)}: ${problem}`);
    if (Object.hasOwn(labels, key)) throw usageError(`--label ${key} is given twice`);
    labels[key] = value;
  }
  return { labels };
}

/** The `removeLabels` list of the --remove-label flags (absent when none). */
export function parseRemoveLabelFlags(
  values: string[] | undefined,
  set: Record<string, string> | undefined,
): { removeLabels?: string[] } {
  if (!values || values.length === 0) return {};
  for (const key of values) {
    const problem = labelKeyProblem(key);
    if (problem) throw usageError(`invalid --remove-label ${JSON.stringify(key)}: ${problem}`);
    if (set && Object.hasOwn(set, key)) throw usageError(`--label and --remove-label both name ${key}`);
  }
  return { removeLabels: values };
}

/** The body of an update: what --label sets and --remove-label removes; one of them is needed. */
export function labelUpdateBody(flags: { label?: string[]; removeLabel?: string[] }) {
  const set = parseLabelFlags(flags.label);
  const remove = parseRemoveLabelFlags(flags.removeLabel, set.labels);
  if (!set.labels && !remove.removeLabels)
    throw usageError('nothing to change: give --label or --remove-label');
  return { ...set, ...remove };
}

/** `team=web, tier=ci`: labels in a table cell. */
export const labelsText = (labels: unknown) =>
  Object.entries((labels ?? {}) as Record<string, string>)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
