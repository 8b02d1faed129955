import { z } from 'zod';
import type { OrganizationRole } from '../../../store/records.ts';

/** The Ona API's names for organization roles. */
export const apiRoleNames = {
  admin: 'ORGANIZATION_ROLE_ADMIN',
  member: 'ORGANIZATION_ROLE_MEMBER',
} as const satisfies Record<OrganizationRole, string>;

const roleByApiName = {
  ORGANIZATION_ROLE_ADMIN: 'admin',
  ORGANIZATION_ROLE_MEMBER: 'member',
} as const satisfies Record<string, OrganizationRole>;

/** A role field: ORGANIZATION_ROLE_ADMIN or ORGANIZATION_ROLE_MEMBER (UNSPECIFIED is refused). */
export const roleInput = () =>
  z
    .enum(['ORGANIZATION_ROLE_ADMIN', 'ORGANIZATION_ROLE_MEMBER'], {
      error: (issue) =>
        issue.input === undefined
          ? 'is required'
          : 'must be ORGANIZATION_ROLE_ADMIN or ORGANIZATION_ROLE_MEMBER',
    })
    .transform((name) => roleByApiName[name]);
