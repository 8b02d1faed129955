import { type ApiPrincipalName, apiPrincipalNames } from '../principal-kinds.ts';
import {
  subjectId,
  subjectOrganizationId,
  type TokenSubject,
  type TokenSubjectKind,
} from './token-subject.ts';

/**
 * The claims of a V2 token besides the standard ones, as Ona's V2 tokens carry them: `org`, the
 * organization ID, and `gsub`, the principal in the shape of the Ona API's `Subject {id, principal}`
 * (what GetAuthenticatedIdentity answers). Decision: docs/decisions/0110-v2-gsub-claim.md.
 */
export interface V2PrincipalClaims {
  org: string;
  gsub: { id: string; principal: ApiPrincipalName<TokenSubjectKind> };
}

export function buildV2Claims(subject: TokenSubject): V2PrincipalClaims {
  return {
    org: subjectOrganizationId(subject),
    gsub: { id: subjectId(subject), principal: apiPrincipalNames[subject.kind] },
  };
}
