import { z } from 'zod';
import type { Labels } from '../../../core/domain/labels.ts';
import { type LabelChange, maxLabels, sortedLabels } from '../../../core/labels.ts';

/**
 * envid extension: labels on projects and environments. The shape rules are src/core/labels.ts (its
 * errors name `labels["key"]`); here only the JSON types.
 */
export const labelsInput = z
  .record(z.string(), z.string({ error: 'a label value must be a string' }))
  .optional();

/** UpdateProject/UpdateEnvironment: keys to remove (absent ones are no error). */
export const removeLabelsInput = z
  .array(z.string())
  .max(maxLabels * 4, { error: `at most ${maxLabels * 4} keys` })
  .optional();

/**
 * `metadata.labels` sorted by key (jsonb keeps its own order), left out when there are none (as proto3
 * JSON leaves out an empty map).
 */
export const labelsToApi = (labels: Labels | undefined) => (labels ? { labels: sortedLabels(labels) } : {});

/** The members of an UpdateProject/UpdateEnvironment request that change labels. */
export const labelChangeInput = { labels: labelsInput, removeLabels: removeLabelsInput };

/** The change those members ask for. */
export const labelChangeFromApi = (input: {
  labels?: Labels | undefined;
  removeLabels?: string[] | undefined;
}): LabelChange => ({ set: input.labels, remove: input.removeLabels });
