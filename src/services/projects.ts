import type { Labels } from '../core/domain/labels.ts';
import { notFound, permissionDenied } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { type LabelChange, newLabels } from '../core/labels.ts';
import type { Initializer, Project } from '../store/records.ts';
import type { Page, PageRequest, Store } from '../store/store.ts';
import {
  assertCanAdminister,
  assertCanRead,
  canAdministerOrganization,
  inCallerOrganization,
} from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { deleteLiveEnvironmentsOf, detachEnvironments } from './environment-lifecycle.ts';
import { changeLabels } from './labels.ts';
import { organizationForCreate, organizationForList } from './organization-scope.ts';
import type { Principal } from './principal.ts';

/**
 * Projects: templates for environments. Organization admins create and delete them, members read them;
 * machine credentials read none.
 */

/** The project, when `principal` may see it; otherwise not_found, the same as for an unknown ID. */
export async function findVisibleProject(store: Store, principal: Principal, id: string): Promise<Project> {
  const missing = notFound('project', id);
  const project = await store.projects.findOne(inCallerOrganization(principal, id));
  if (!project) throw missing;
  assertCanRead(principal, project.organizationId, missing);
  return project;
}

/** An admin of the organization (the installation admin names it) creates one. */
export async function createProject(
  { store, clock, principal }: ServiceContext,
  request: {
    name: string;
    initializers: Initializer[];
    labels?: Labels | undefined;
    organizationId?: string | undefined;
  },
): Promise<Project> {
  const labels = newLabels(request.labels);
  const organizationId = await organizationForCreate(store, principal, request.organizationId);
  // The organization is the caller's own, so refusing with permission_denied leaks nothing.
  if (!canAdministerOrganization(principal, organizationId)) {
    throw permissionDenied('only an admin of the organization may create projects');
  }
  return store.projects.insert({
    id: newId(),
    organizationId,
    name: request.name,
    initializers: request.initializers,
    ...(labels ? { labels } : {}),
    createdAt: clock.now(),
  });
}

/** An admin of its organization changes its labels (docs/api.md#labels); audited. */
export async function updateProject(
  context: ServiceContext,
  request: { projectId: string; labels: LabelChange },
): Promise<Project> {
  const { store, principal } = context;
  const project = await findVisibleProject(store, principal, request.projectId);
  assertCanAdminister(principal, project.organizationId, notFound('project', project.id));
  return changeLabels(context, 'project', (tx) => tx.projects, project.id, request.labels);
}

export const getProject = ({ store, principal }: ServiceContext, id: string) =>
  findVisibleProject(store, principal, id);

/** The caller's organization's (any, or the one named, for the installation admin), or the one `projectId`. */
export async function listProjects(
  { store, principal }: ServiceContext,
  request: { organizationId?: string | undefined; projectId?: string | undefined },
  page: PageRequest,
): Promise<Page<Project>> {
  const organizationId = organizationForList(principal, request.organizationId, 'projects');
  const { projectId: id } = request;
  return store.projects.list({ ...(organizationId ? { organizationId } : {}), ...(id ? { id } : {}) }, page);
}

/**
 * An admin deletes one. While it has environments that are not deleted it is refused, unless `force`
 * deletes them with it (docs/decisions/0070-organization-wide-work-at-scale.md: in batches, in one
 * transaction). Their records stay, out of the project.
 */
export async function deleteProject(
  { store, clock, principal }: ServiceContext,
  request: { projectId: string; force?: boolean | undefined },
): Promise<void> {
  const project = await findVisibleProject(store, principal, request.projectId);
  assertCanAdminister(principal, project.organizationId, notFound('project', project.id));
  await store.transaction(async (tx) => {
    // The row lock makes a concurrent CreateEnvironmentFromProject wait, so none slips past the check.
    await tx.projects.update(project.id, (current) => current);
    // Their records stay, out of the project, as the foreign key's `on delete set null` would leave them.
    await deleteLiveEnvironmentsOf(
      tx,
      clock,
      { kind: 'project', id: project.id },
      { projectId: project.id },
      { force: request.force, alsoChange: { projectId: undefined } },
    );
    await detachEnvironments(tx, project.id);
    await tx.projects.delete(project.id);
  });
}
