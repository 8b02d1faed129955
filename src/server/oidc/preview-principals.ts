import { tokenPrincipalKinds } from '../../core/principal-kinds.ts';
import { previewToken } from '../../core/tokens/preview-token.ts';
import type { TokenSubject, TokenSubjectKind } from '../../core/tokens/token-subject.ts';
import type { ExtraClaim, OidcConfig } from '../../store/records.ts';

/** Fixed, obviously made-up IDs for synthetic examples (never a real record's). */
const exampleIds = {
  user: '00000000-0000-4000-8000-000000000001',
  serviceAccount: '00000000-0000-4000-8000-000000000002',
  runner: '00000000-0000-4000-8000-000000000003',
  project: '00000000-0000-4000-8000-000000000004',
  environment: '00000000-0000-4000-8000-000000000005',
};

/** A made-up principal of `kind` in the organization, for kinds the organization has none of yet. */
export function syntheticSubject(organizationId: string, kind: TokenSubjectKind): TokenSubject {
  const user = { id: exampleIds.user, email: 'example.user@example.com', name: 'Example User' };
  const runner = { id: exampleIds.runner, organizationId, name: 'example-runner' };
  switch (kind) {
    case 'user':
      return { kind, organizationId, user };
    case 'service_account':
      return {
        kind,
        serviceAccount: { id: exampleIds.serviceAccount, organizationId, name: 'example-bot' },
      };
    case 'runner':
      return { kind, runner };
    case 'environment': {
      const initializers = [
        {
          git: { remoteUri: 'https://github.com/example/repo.git' },
          contextUrl: 'https://github.com/example/repo',
        },
      ];
      return {
        kind,
        organizationId,
        project: { id: exampleIds.project, initializers },
        environment: {
          id: exampleIds.environment,
          projectId: exampleIds.project,
          runnerId: runner.id,
          creatorId: user.id,
          creatorPrincipal: 'user',
          initializers,
        },
        creator: { principal: 'user', user },
      };
    }
  }
}

/**
 * For each principal kind, what a token would say under `config`: a real principal of the organization
 * when it has one (for environments, preferably one in a project, whose sub has the most keys), else a
 * synthetic example marked `example: "synthetic"`.
 */
export function previewPrincipalKinds(
  organizationId: string,
  subjects: readonly TokenSubject[],
  config: OidcConfig,
  extraClaims: readonly ExtraClaim[] = [],
) {
  // One pass over the organization's principals (tens of thousands), not one per kind.
  const first = new Map<TokenSubjectKind, TokenSubject>();
  for (const subject of subjects) {
    const chosen = first.get(subject.kind);
    if (!chosen) first.set(subject.kind, subject);
    else if (
      chosen.kind === 'environment' &&
      chosen.project === undefined &&
      subject.kind === 'environment' &&
      subject.project !== undefined
    )
      first.set(subject.kind, subject);
  }
  return tokenPrincipalKinds.map((kind) => {
    const real = first.get(kind);
    const subject = real ?? syntheticSubject(organizationId, kind);
    const preview = previewToken(subject, config, extraClaims);
    return {
      principal: kind,
      example: real ? 'existing' : 'synthetic',
      id: preview.id,
      sub: preview.sub,
      claims: preview.claims,
    };
  });
}
