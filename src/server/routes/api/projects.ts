import { z } from 'zod';
import { failedPrecondition, notFound, permissionDenied } from '../../../core/errors.ts';
import { newId } from '../../../core/ids.ts';
import {
  assertCanAdminister,
  assertCanRead,
  canAdministerOrganization,
  inCallerOrganization,
} from '../../../services/authorize.ts';
import {
  countLiveEnvironments,
  detachEnvironments,
  markEnvironmentsDeleted,
} from '../../../services/environment-lifecycle.ts';
import { organizationForCreate, organizationForList } from '../../../services/organization-scope.ts';
import type { Project } from '../../../store/records.ts';
import type { Store } from '../../../store/store.ts';
import { type CallContext, defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import type { Principal } from '../../principal.ts';
import { initializerInput, initializersFromApi, initializersToApi } from './initializers.ts';

/**
 * ProjectService: templates for environments. Organization admins create and delete them, members
 * read them. envid has no environment classes: `environmentClass` is accepted and answered empty.
 */

export function projectToApi(project: Project) {
  return {
    id: project.id,
    environmentClass: {},
    initializer: initializersToApi(project.initializers),
    metadata: {
      organizationId: project.organizationId,
      name: project.name,
      createdAt: formatTimestamp(project.createdAt),
    },
  };
}

/** The project, when `principal` may see it; otherwise not_found, the same as for an unknown ID. */
export async function findVisibleProject(store: Store, principal: Principal, id: string): Promise<Project> {
  const missing = notFound('project', id);
  const project = await store.projects.findOne(inCallerOrganization(principal, id));
  if (!project) throw missing;
  assertCanRead(principal, project.organizationId, missing);
  return project;
}

const environmentClass = z
  .object({ environmentClassId: z.string().optional(), localRunner: z.boolean().optional() })
  .optional();

export const createProject = defineMethod({
  service: 'ProjectService',
  method: 'CreateProject',
  input: z.object({
    name: text(80),
    initializer: initializerInput.optional(),
    environmentClass,
    /** envid extension: the installation admin names the organization. */
    organizationId: uuid().optional(),
  }),
  handler: async (input, { store, clock, principal }: CallContext) => {
    const organizationId = await organizationForCreate(store, principal, input.organizationId);
    // The organization is the caller's own, so refusing with permission_denied leaks nothing.
    if (!canAdministerOrganization(principal, organizationId)) {
      throw permissionDenied('only an admin of the organization may create projects');
    }
    const project = await store.projects.insert({
      id: newId(),
      organizationId,
      name: input.name,
      initializers: initializersFromApi(input.initializer),
      createdAt: clock.now(),
    });
    return { project: projectToApi(project) };
  },
});

export const getProject = defineMethod({
  service: 'ProjectService',
  method: 'GetProject',
  input: z.object({ projectId: uuid() }),
  handler: async (input, { store, principal }) => ({
    project: projectToApi(await findVisibleProject(store, principal, input.projectId)),
  }),
});

export const listProjects = defineMethod({
  service: 'ProjectService',
  method: 'ListProjects',
  input: z.object({
    pagination,
    filter: z
      .object({
        projectIds: z.array(uuid()).max(1, { error: 'envid filters on at most one project ID' }).optional(),
      })
      .optional(),
    /** envid extension: the installation admin may name one organization (all when absent). */
    organizationId: uuid().optional(),
  }),
  handler: async (input, { store, principal, request }) => {
    const organizationId = organizationForList(principal, input.organizationId, 'projects');
    const id = input.filter?.projectIds?.[0];
    const page = await store.projects.list(
      { ...(organizationId ? { organizationId } : {}), ...(id ? { id } : {}) },
      pageRequest(input.pagination, request),
    );
    return pageResponse('projects', page, projectToApi);
  },
});

export const deleteProject = defineMethod({
  service: 'ProjectService',
  method: 'DeleteProject',
  input: z.object({
    projectId: uuid(),
    /** envid extension: also delete the project's environments that are not deleted yet. */
    force: z.boolean().optional(),
  }),
  handler: async (input, { store, clock, principal }) => {
    const project = await findVisibleProject(store, principal, input.projectId);
    assertCanAdminister(principal, project.organizationId, notFound('project', project.id));
    await store.transaction(async (tx) => {
      // The row lock makes a concurrent CreateEnvironmentFromProject wait, so none slips past the check.
      await tx.projects.update(project.id, (current) => current);
      if (!input.force) {
        const live = await countLiveEnvironments(tx, { projectId: project.id });
        if (live > 0) {
          throw failedPrecondition(
            `project ${project.id} has ${live} environment(s) that are not deleted; ` +
              'delete them first, or pass "force": true to delete them with the project',
          );
        }
      }
      // Their records stay, out of the project, as the foreign key's `on delete set null` would leave them.
      await markEnvironmentsDeleted(
        tx,
        clock,
        { projectId: project.id },
        { alsoChange: { projectId: undefined } },
      );
      await detachEnvironments(tx, project.id);
      await tx.projects.delete(project.id);
    });
    return {};
  },
});

export const projectMethods = [createProject, getProject, listProjects, deleteProject];
