import type { Environment, Project, Runner, ServiceAccount, User } from '../../store/records.ts';
import type { TokenPrincipalKind } from '../principal-kinds.ts';

/** Who created an environment; its details become the `creator_*` claims. */
export type EnvironmentCreator =
  | { principal: 'user'; user: User }
  | { principal: 'service_account'; serviceAccount: ServiceAccount };

/**
 * The principal a token is issued for, with every record its claims are made from. Loading these is the
 * caller's job (and cacheable); everything under src/core/tokens/ is pure.
 */
export type TokenSubject =
  | {
      kind: 'environment';
      organizationId: string;
      environment: Environment;
      /** The environment's project, when it has one; its initializers stand in when the environment has none. */
      project?: Project;
      creator: EnvironmentCreator;
    }
  | { kind: 'user'; organizationId: string; user: User }
  | { kind: 'service_account'; serviceAccount: ServiceAccount }
  | { kind: 'runner'; runner: Runner };

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
