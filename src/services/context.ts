import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/store.ts';
import type { AuthenticatedPrincipal, Principal } from './principal.ts';

/**
 * What a service call needs: the store, the time, and who is calling. A Connect call's context has
 * these fields, so a route passes its own; a console or SSO flow builds one the same way.
 */
export interface ServiceContext<P extends AuthenticatedPrincipal = Principal> {
  store: Store;
  clock: Clock;
  principal: P;
}
