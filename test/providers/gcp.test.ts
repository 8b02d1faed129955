import { describe, expect, it } from 'vitest';
import { tokenInfoUrl } from '../../src/relying-parties/gcp/credential-configuration.ts';
import { GoogleError, stsExchangeForm } from '../../src/relying-parties/gcp/exchange.ts';
import { explainGoogleError } from '../../src/relying-parties/gcp/explain.ts';
import { executableExpirationTime } from '../../src/relying-parties/gcp/gcloud-token.ts';
import {
  parseProjectId,
  parseServiceAccountEmail,
  parseWorkloadIdentityProvider,
  stsAudience,
  tokenProblemsForGoogle,
} from '../../src/relying-parties/gcp/rules.ts';

const name = 'projects/123456789012/locations/global/workloadIdentityPools/envid-pool/providers/envid';

describe('Google Cloud rules', () => {
  it('takes the provider resource name with the project number, with or without the //iam prefix', () => {
    expect(parseWorkloadIdentityProvider(name)).toEqual({
      name,
      projectNumber: '123456789012',
      pool: 'envid-pool',
      provider: 'envid',
    });
    expect(parseWorkloadIdentityProvider(`//iam.googleapis.com/${name}`).name).toBe(name);
    expect(parseWorkloadIdentityProvider(`https://iam.googleapis.com/${name}`).name).toBe(name);
    expect(() => parseWorkloadIdentityProvider(name.replace('123456789012', 'acme-dev'))).toThrow(
      /project number, not the project ID/,
    );
    expect(() => parseWorkloadIdentityProvider(name.replace('/global/', '/europe-west1/'))).toThrow(
      /expected projects\/<project number>\/locations\/global/,
    );
    expect(() => parseWorkloadIdentityProvider(name.replace('envid-pool', 'p'))).toThrow(/4-32/);
  });

  it('checks service accounts and project IDs', () => {
    expect(parseServiceAccountEmail(' deploy@acme-dev.iam.gserviceaccount.com ')).toBe(
      'deploy@acme-dev.iam.gserviceaccount.com',
    );
    expect(() => parseServiceAccountEmail('deploy@example.com')).toThrow(/service account e-mail/);
    expect(parseProjectId('acme-dev')).toBe('acme-dev');
    expect(() => parseProjectId('123456789012')).toThrow(/starting with a letter/);
  });

  it('builds the RFC 8693 exchange and the introspection URL beside the token URL', () => {
    const provider = parseWorkloadIdentityProvider(name);
    expect(Object.fromEntries(stsExchangeForm(provider, 'jwt'))).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: `//iam.googleapis.com/${name}`,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: 'jwt',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    });
    expect(tokenInfoUrl('https://sts.googleapis.com/v1/token')).toBe(
      'https://sts.googleapis.com/v1/introspect',
    );
    expect(tokenInfoUrl('http://127.0.0.1:1234/sts')).toBe('http://127.0.0.1:1234/v1/introspect');
  });

  it('notices what Google will refuse in a token', () => {
    const provider = parseWorkloadIdentityProvider(name);
    const fine = { sub: 'organization_id:x', aud: stsAudience(provider), iat: 0, exp: 3600 };
    expect(tokenProblemsForGoogle(fine, provider, true)).toEqual([]);
    expect(
      tokenProblemsForGoogle({ ...fine, aud: `https:${stsAudience(provider)}` }, provider, true),
    ).toEqual([]);
    expect(
      tokenProblemsForGoogle({ sub: 'x'.repeat(128), aud: 'other', iat: 0, exp: 48 * 3600 }, provider, true),
    ).toEqual([
      "its sub is 128 bytes, more than google.subject's 127",
      `its aud is not ${stsAudience(provider)}`,
      'it lives 48 h or more',
    ]);
    // A custom audience is the provider's allowedAudiences' business, which envid cannot see.
    expect(tokenProblemsForGoogle({ ...fine, aud: 'custom' }, provider, false)).toEqual([]);
  });

  it('tells a refused time from a too long google.subject, whatever digits the message holds', () => {
    const provider = parseWorkloadIdentityProvider(name);
    const context = { provider, audience: stsAudience(provider) };
    const explain = (description: string) =>
      explainGoogleError(new GoogleError('sts', 400, 'invalid_grant', description), context).meaning;
    expect(explain('ID Token issued at 1795919955 is in the future (now 1795912755).')).toContain(
      "the token's time claims were refused",
    );
    expect(explain('The size of mapped attribute google.subject exceeds the 127 bytes limit.')).toContain(
      'google.subject, mapped from the token, is longer than 127 bytes',
    );
    expect(explain('The mapped attribute is longer than 127 bytes.')).toContain('longer than 127 bytes');
    expect(explain('The JWT signature does not match the expected key.')).toContain(
      "the token's signature could not be verified",
    );
    expect(explain('Token has no exp claim.')).toContain("the token's time claims were refused");
  });

  it('explains invalid_request and an unknown STS error', () => {
    const provider = parseWorkloadIdentityProvider(name);
    const context = { provider, audience: stsAudience(provider) };
    const invalid = explainGoogleError(
      new GoogleError('sts', 400, 'invalid_request', 'Invalid value for "audience".'),
      context,
    );
    expect(invalid.meaning).toContain('audience is not a workload identity provider resource name');
    expect(invalid.expected).toEqual({ audience: `//iam.googleapis.com/${name}` });
    expect(invalid.nextStep).toContain(
      'check --workload-identity-provider (project number, pool and provider IDs)',
    );
    const unknown = explainGoogleError(new GoogleError('sts', 503, 'HTTP 503', 'unavailable'), context);
    expect(unknown.meaning).toBe('Google STS answered HTTP 503');
  });

  it('lets a cached executable answer expire before the token does', () => {
    const now = 1_800_000_000;
    expect(executableExpirationTime({ exp: now + 3600 }, now * 1000)).toBe(now + 3300);
    expect(executableExpirationTime({ exp: now + 60 }, now * 1000)).toBe(now + 45);
    expect(executableExpirationTime({ exp: now - 10 }, now * 1000)).toBe(now - 10);
  });
});
