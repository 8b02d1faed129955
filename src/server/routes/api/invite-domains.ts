import { z } from 'zod';

/**
 * An organization's invite domains: users whose verified e-mail address is at one of them may join by
 * themselves (JoinOrganization {organizationId}). Matching is exact and ignores case: `acme.example`
 * admits ada@acme.example and ADA@Acme.Example, not ada@eu.acme.example (list subdomains one by one).
 */

/** At most this many domains per organization. */
export const maxInviteDomains = 50;

const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS name of at least two labels, e.g. acme.example: no wildcard, no `@`, no trailing dot. */
const isDomainName = (value: string): boolean =>
  value.length <= 253 && value.includes('.') && value.split('.').every((part) => label.test(part));

export const domainName = z
  .string()
  .trim()
  .transform((value) => value.toLowerCase())
  .refine(isDomainName, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a domain name: give one such as acme.example (no wildcard, no @, subdomains one by one)`,
  });

/** `inviteDomains: {domains: [...]}` of UpdateOrganization: lower case, duplicates folded, order kept. */
export const inviteDomainsInput = z.object({
  domains: z
    .array(domainName)
    .max(maxInviteDomains, { error: `must name at most ${maxInviteDomains} domains` })
    .default([])
    .transform((domains) => [...new Set(domains)]),
});
