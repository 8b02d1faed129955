import type { Initializer } from './project.ts';

export type EnvironmentStatus = 'running' | 'stopped' | 'deleted';
export type CreatorPrincipal = 'user' | 'service_account';

export interface Environment {
  id: string;
  organizationId: string;
  projectId?: string;
  runnerId: string;
  creatorId: string;
  creatorPrincipal: CreatorPrincipal;
  initializers: Initializer[];
  status: EnvironmentStatus;
  createdAt: Date;
}
