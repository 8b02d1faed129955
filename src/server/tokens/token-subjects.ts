import type { Clock } from '../../core/clock.ts';
import { deepFreeze } from '../../core/deep-freeze.ts';
import { failedPrecondition, unauthenticated } from '../../core/errors.ts';
import { type MatchableProfile, matchable } from '../../core/tokens/profiles/select-profile.ts';
import { maxProfilesPerOrganization } from '../../core/tokens/profiles/validate-profile.ts';
import type { EnvironmentCreator, TokenSubject } from '../../core/tokens/token-subject.ts';
import type { AudienceProfile, OidcConfig } from '../../store/records.ts';
import type { Store } from '../../store/store.ts';
import type { ChangeFeed } from '../cache/change-feed.ts';
import { InvalidatingCache } from '../cache/invalidating-cache.ts';
import type { OrganizationPrincipal } from '../principal.ts';

export interface LoadedSubject {
  subject: TokenSubject;
  oidcConfig: OidcConfig;
  /** The organization's audience profiles, their patterns parsed once; most organizations have none. */
  profiles: readonly MatchableProfile<AudienceProfile>[];
}

/**
 * Everything a principal's token is made of (its records, its organization's OIDC configuration and
 * audience profiles),
 * cached in memory and forgotten on any announced write, so issuing a token reads no database.
 */
export class TokenSubjects {
  readonly #cache: InvalidatingCache<LoadedSubject>;

  constructor(
    private readonly store: Store,
    clock: Clock,
    feed: ChangeFeed,
  ) {
    this.#cache = new InvalidatingCache(feed, clock);
  }

  /** The subject cache, whose hit and miss counts the metrics read. */
  get cache(): InvalidatingCache<LoadedSubject> {
    return this.#cache;
  }

  load(principal: OrganizationPrincipal): Promise<LoadedSubject> {
    return this.#cache.get(`${principal.kind}:${principal.organizationId}:${principal.id}`, () =>
      loadTokenSubject(this.store, principal),
    );
  }
}

const gone = () => unauthenticated('the credential is not valid: its principal no longer exists');

/**
 * Frozen, deeply: every request shares the cached objects, so one request must not change what another
 * sees. Writes go through the store, which announces them and makes the cache load new objects.
 */
export async function loadTokenSubject(
  store: Store,
  principal: OrganizationPrincipal,
): Promise<LoadedSubject> {
  const [organization, profiles] = await Promise.all([
    store.organizations.find(principal.organizationId),
    store.audienceProfiles.list(
      { organizationId: principal.organizationId },
      { pageSize: maxProfilesPerOrganization },
    ),
  ]);
  if (!organization) throw gone();
  return deepFreeze({
    subject: await loadSubject(store, principal),
    oidcConfig: organization.oidcConfig,
    profiles: profiles.items.map(matchable),
  });
}

async function loadSubject(store: Store, principal: OrganizationPrincipal): Promise<TokenSubject> {
  switch (principal.kind) {
    case 'user': {
      const user = await store.users.find(principal.id);
      if (!user) throw gone();
      return { kind: 'user', organizationId: principal.organizationId, user };
    }
    case 'service_account': {
      const serviceAccount = await store.serviceAccounts.find(principal.id);
      if (!serviceAccount) throw gone();
      return { kind: 'service_account', serviceAccount };
    }
    case 'runner': {
      const runner = await store.runners.find(principal.id);
      if (!runner) throw gone();
      return { kind: 'runner', runner };
    }
    case 'environment': {
      const environment = await store.environments.find(principal.id);
      if (!environment) throw gone();
      const [project, creator] = await Promise.all([
        environment.projectId ? store.projects.find(environment.projectId) : undefined,
        loadCreator(store, environment.creatorPrincipal, environment.creatorId),
      ]);
      return {
        kind: 'environment',
        organizationId: environment.organizationId,
        environment,
        ...(project ? { project } : {}),
        creator,
      };
    }
  }
}

async function loadCreator(
  store: Store,
  principal: 'user' | 'service_account',
  id: string,
): Promise<EnvironmentCreator> {
  if (principal === 'user') {
    const user = await store.users.find(id);
    if (user) return { principal: 'user', user };
  } else {
    const serviceAccount = await store.serviceAccounts.find(id);
    if (serviceAccount) return { principal: 'service_account', serviceAccount };
  }
  throw failedPrecondition(
    `the environment's creator (${principal} ${id}) no longer exists, so its token cannot describe it; ` +
      'create a new environment',
  );
}
