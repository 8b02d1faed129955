import type { Environment } from '../domain/environment.ts';
import type { Project } from '../domain/project.ts';
import type { Runner } from '../domain/runner.ts';
import type { ServiceAccount } from '../domain/service-account.ts';
import type { User } from '../domain/user.ts';

/**
 * The fields of each record that a token's claims (and so its `sub`) are made of, and no others: an
 * organization-wide preview loads only these columns for tens of thousands of principals.
 */
export const subjectFields = {
  user: ['id', 'email', 'name', 'idp', 'idpClaims'],
  serviceAccount: ['id', 'organizationId', 'name'],
  runner: ['id', 'organizationId', 'name'],
  project: ['id', 'initializers', 'labels'],
  environment: [
    'id',
    'projectId',
    'runnerId',
    'creatorId',
    'creatorPrincipal',
    'creatorIdp',
    'creatorIdpClaims',
    'initializers',
    'labels',
  ],
} as const satisfies {
  user: readonly (keyof User)[];
  serviceAccount: readonly (keyof ServiceAccount)[];
  runner: readonly (keyof Runner)[];
  project: readonly (keyof Project)[];
  environment: readonly (keyof Environment)[];
};

export type SubjectUser = Pick<User, (typeof subjectFields.user)[number]>;
export type SubjectServiceAccount = Pick<ServiceAccount, (typeof subjectFields.serviceAccount)[number]>;
export type SubjectRunner = Pick<Runner, (typeof subjectFields.runner)[number]>;
export type SubjectProject = Pick<Project, (typeof subjectFields.project)[number]>;
export type SubjectEnvironment = Pick<Environment, (typeof subjectFields.environment)[number]>;

import type { TokenPrincipalKind } from '../principal-kinds.ts';

/** Who created an environment; its details become the `creator_*` claims. */
export type EnvironmentCreator =
  | { principal: 'user'; user: SubjectUser }
  | { principal: 'service_account'; serviceAccount: SubjectServiceAccount };

/**
 * The principal a token is issued for, with every record its claims are made from (whole records
 * serve as well as the fields above). Loading these is the caller's job (and cacheable); everything
 * under src/core/tokens/ is pure.
 */
export type TokenSubject =
  | {
      kind: 'environment';
      organizationId: string;
      environment: SubjectEnvironment;
      /** The environment's project, when it has one; its initializers stand in when the environment has none. */
      project?: SubjectProject;
      creator: EnvironmentCreator;
    }
  | { kind: 'user'; organizationId: string; user: SubjectUser }
  | { kind: 'service_account'; serviceAccount: SubjectServiceAccount }
  | { kind: 'runner'; runner: SubjectRunner };

export type TokenSubjectKind = TokenSubject['kind'];

// A kind declared to get tokens needs a subject here, and a subject needs its kind declared.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const subjectsMatchKinds: Same<TokenSubjectKind, TokenPrincipalKind> = true;
void subjectsMatchKinds;

/** The organization the token speaks for. */
export function subjectOrganizationId(subject: TokenSubject): string {
  switch (subject.kind) {
    case 'environment':
    case 'user':
      return subject.organizationId;
    case 'service_account':
      return subject.serviceAccount.organizationId;
    case 'runner':
      return subject.runner.organizationId;
  }
}

/** The principal's own ID (what the audit log records as the principal). */
export function subjectId(subject: TokenSubject): string {
  switch (subject.kind) {
    case 'environment':
      return subject.environment.id;
    case 'user':
      return subject.user.id;
    case 'service_account':
      return subject.serviceAccount.id;
    case 'runner':
      return subject.runner.id;
  }
}
