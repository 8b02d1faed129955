import type { OidcConfig } from '../domain/oidc-config.ts';
import type { PrincipalClaims } from './principal-claims.ts';

/**
 * The V3 principal claims a token carries under `config`: the label claims only when it asks for them
 * (`labelClaims`), so an organization that never asked gets exactly the tokens it always got. The
 * `sub` is composed from all of them: `project_labels.<key>` works as a sub field either way.
 */
export function configuredClaims(
  claims: PrincipalClaims,
  config: Extract<OidcConfig, { version: 'v3' }>,
): PrincipalClaims {
  if (config.labelClaims) return claims;
  if (claims.project_labels === undefined && claims.environment_labels === undefined) return claims;
  const { project_labels: _project, environment_labels: _environment, ...carried } = claims;
  return carried;
}
