import type { IdpClaims } from './idp-claims.ts';

export interface User {
  id: string;
  email: string;
  name: string;
  /**
   * Whether the address is known to be the user's: true for users the installation admin creates (the
   * admin vouches for it); SSO sets it from the upstream `email_verified`. Only a verified address
   * joins an organization by its domain.
   */
  emailVerified: boolean;
  /** Upstream SSO issuer URL, when signed in through SSO. */
  idp?: string;
  /** Forwarded SSO claims (string or string-array values). */
  idpClaims?: IdpClaims;
  createdAt: Date;
}
