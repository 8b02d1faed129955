import { z } from 'zod';
import { forwardedClaimNameProblem } from '../../../core/sso/forwarded-claims.ts';
import { domainName } from './invite-domains.ts';

/**
 * The fields of an SSO configuration as Create/UpdateSSOConfiguration take them: what each may hold.
 * The issuer's discovery check and the CEL rule's syntax are the service's (src/services/sso-configurations.ts).
 */

const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** An https URL without query or fragment; http only on a loopback address (a provider on this machine). */
export const issuerUrl = z
  .string()
  .max(2048, { error: 'must be at most 2048 characters' })
  .refine(
    (value) => {
      if (!URL.canParse(value)) return false;
      const url = new URL(value);
      const secure =
        url.protocol === 'https:' || (url.protocol === 'http:' && loopbackHosts.has(url.hostname));
      return secure && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
    },
    {
      error:
        'must be an https URL without query, fragment or credentials (http only on 127.0.0.1, [::1] or localhost), e.g. https://login.acme.example',
    },
  );

const clientId = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(255, { error: 'must be at most 255 characters' });
const clientSecret = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(1024, { error: 'must be at most 1024 characters' });

/** RFC 6749 §3.3 scope-token characters; the three envid always asks for are left out. */
const scope = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, {
  error: 'a scope is 1 to 128 printable characters without space, " or \\',
});
const scopes = z
  .array(scope)
  .max(20, { error: 'must name at most 20 scopes' })
  .transform((list) => [...new Set(list)].filter((s) => !['openid', 'email', 'profile'].includes(s)));

// The names a sign-in would never forward (protocol claims, secrets: src/core/sso/forwarded-claims.ts)
// are refused when the configuration is saved, rather than silently dropped at every sign-in.
const claimName = z.string().superRefine((name, context) => {
  const problem = forwardedClaimNameProblem(name);
  if (problem)
    context.addIssue({
      code: 'custom',
      message: `${JSON.stringify(name)} ${problem}; it is never forwarded`,
    });
});
const forwardedClaims = z
  .array(claimName)
  .max(50, { error: 'must name at most 50 claims' })
  .transform((list) => [...new Set(list)]);

const claimsExpression = z.string().max(4096, { error: 'must be at most 4096 characters' });
const claims = z.record(z.string().max(256), z.string().max(256));
const emailDomains = z
  .array(domainName)
  .min(1, { error: 'must name at least one domain' })
  .max(50, { error: 'must name at most 50 domains' })
  .transform((list) => [...new Set(list)]);

const stateInput = z.enum(['SSO_CONFIGURATION_STATE_ACTIVE', 'SSO_CONFIGURATION_STATE_INACTIVE'], {
  error: 'must be SSO_CONFIGURATION_STATE_ACTIVE or SSO_CONFIGURATION_STATE_INACTIVE',
});
export const stateFromApi = (state: z.infer<typeof stateInput>) =>
  state === 'SSO_CONFIGURATION_STATE_ACTIVE' ? ('active' as const) : ('inactive' as const);

/** Each field as both calls take it; Create requires the first five (as the SDK does). */
export const ssoFields = {
  issuerUrl,
  clientId,
  clientSecret,
  emailDomain: domainName,
  emailDomains,
  state: stateInput,
  claims,
  additionalScopes: scopes,
  forwardedClaims,
  claimsExpression,
};

/** emailDomain first, then emailDomains, duplicates folded. */
export const mergeDomains = (first: string | undefined, rest: string[] | undefined): string[] | undefined =>
  first === undefined && rest === undefined
    ? undefined
    : [...new Set([...(first ? [first] : []), ...(rest ?? [])])];
