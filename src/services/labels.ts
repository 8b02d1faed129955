import { labelsUpdatedEvent } from '../core/audit/label-events.ts';
import type { Labels } from '../core/domain/labels.ts';
import { newTimeOrderedId } from '../core/ids.ts';
import { applyLabelChange, assertValidLabelChange, type LabelChange, sameLabels } from '../core/labels.ts';
import type { Collection, Store } from '../store/store.ts';
import type { ServiceContext } from './context.ts';
import { actorOf } from './sso-configurations.ts';

type Labelled = { id: string; organizationId: string; labels?: Labels };

/**
 * Applies `change` to one project's or environment's labels (the caller has checked the right to), under
 * the row's lock, and records the change with both sets. A change that changes nothing writes nothing.
 */
export async function changeLabels<R extends Labelled>(
  { store, clock, principal }: ServiceContext,
  resource: 'project' | 'environment',
  collectionOf: (tx: Store) => Collection<R>,
  id: string,
  change: LabelChange,
): Promise<R> {
  assertValidLabelChange(change);
  return store.transaction(async (tx) => {
    let before: Labels | undefined;
    let after: Labels | undefined;
    const updated = await collectionOf(tx).update(id, (current) => {
      before = current.labels;
      after = applyLabelChange(current.labels, change);
      const { labels: _, ...rest } = current;
      return (after ? { ...rest, labels: after } : rest) as R;
    });
    if (!sameLabels(before, after)) {
      const now = clock.now();
      await tx.auditEvents.insert(
        labelsUpdatedEvent({
          id: newTimeOrderedId(now),
          now,
          actor: actorOf(principal),
          resource,
          resourceId: id,
          organizationId: updated.organizationId,
          before,
          after,
        }),
      );
    }
    return updated;
  });
}
