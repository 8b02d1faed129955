import { z } from 'zod';
import * as projects from '../../../services/projects.ts';
import type { Project } from '../../../store/records.ts';
import { defineMethod } from '../../connect/define-method.ts';
import { pageRequest, pageResponse } from '../../connect/pagination.ts';
import { formatTimestamp } from '../../connect/timestamps.ts';
import { pagination, text, uuid } from '../../connect/validation.ts';
import { initializerInput, initializersFromApi, initializersToApi } from './initializers.ts';
import { labelChangeFromApi, labelChangeInput, labelsInput, labelsToApi } from './labels.ts';

/**
 * ProjectService; who may do what is src/services/projects.ts. envid has no environment classes:
 * `environmentClass` is accepted and answered empty.
 */

export function projectToApi(project: Project) {
  return {
    id: project.id,
    environmentClass: {},
    initializer: initializersToApi(project.initializers),
    metadata: {
      organizationId: project.organizationId,
      name: project.name,
      ...labelsToApi(project.labels),
      createdAt: formatTimestamp(project.createdAt),
    },
  };
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
    /** envid extension: the project's labels. */
    labels: labelsInput,
    /** envid extension: the installation admin names the organization. */
    organizationId: uuid().optional(),
  }),
  handler: async (input, call) => {
    const project = await projects.createProject(call, {
      name: input.name,
      initializers: initializersFromApi(input.initializer),
      labels: input.labels,
      organizationId: input.organizationId,
    });
    return { project: projectToApi(project) };
  },
});

export const getProject = defineMethod({
  service: 'ProjectService',
  method: 'GetProject',
  input: z.object({ projectId: uuid() }),
  handler: async (input, call) => ({
    project: projectToApi(await projects.getProject(call, input.projectId)),
  }),
});

/** envid: changes a project's labels; `labels` are set (added or replaced), `removeLabels` removed. */
export const updateProject = defineMethod({
  service: 'ProjectService',
  method: 'UpdateProject',
  input: z.object({ projectId: uuid(), ...labelChangeInput }),
  handler: async (input, call) => ({
    project: projectToApi(
      await projects.updateProject(call, {
        projectId: input.projectId,
        labels: labelChangeFromApi(input),
      }),
    ),
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
  handler: async (input, call) => {
    const page = await projects.listProjects(
      call,
      { organizationId: input.organizationId, projectId: input.filter?.projectIds?.[0] },
      pageRequest(input.pagination, call.request),
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
  handler: async (input, call) => {
    await projects.deleteProject(call, input);
    return {};
  },
});

export const projectMethods = [createProject, getProject, updateProject, listProjects, deleteProject];
