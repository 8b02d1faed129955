import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { azureTrustCheck } from '../../src/relying-parties/azure/check.ts';
import {
  type EntraStandIn,
  type FederatedIdentityCredential,
  startEntraStandIn,
} from '../stand-ins/azure-entra.ts';
import {
  type CheckTokenSource,
  runTrustCheck,
  secondsPastExpiry,
  startCheckTokenSource,
  type TokenPrincipal,
} from '../support/check-tokens.ts';
import { removeDir } from '../support/envid-process.ts';
import { claimsOf } from '../support/jwt-parts.ts';
import { makeTestCertificates, type TestCertificates } from '../support/test-ca.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const audience = 'api://AzureADTokenExchange';
const tenant = '66666666-7777-8888-9999-000000000000';
const appId = '11111111-2222-3333-4444-555555555555';

interface AzureCase {
  name: string;
  principal?: TokenPrincipal;
  credentials: (iss: string, sub: string) => FederatedIdentityCredential[];
  expired?: boolean;
  /** undefined: accepted; else Entra's AADSTS code. */
  refusal?: string;
}

const credential = (issuer: string, subject: string, aud = audience, name = 'envid-dev') => ({
  name,
  issuer,
  subject,
  audiences: [aud],
});

/** Entra's documented rules (docs/providers/azure.md): each case runs through idp check and the stand-in. */
const cases: AzureCase[] = [
  { name: 'exact issuer, subject and audience', credentials: (iss, sub) => [credential(iss, sub)] },
  {
    name: 'the matching one of several credentials',
    credentials: (iss, sub) => [credential(iss, `${sub}:x`, audience, 'other'), credential(iss, sub)],
  },
  { name: 'no credentials', credentials: () => [], refusal: 'AADSTS70021' },
  {
    name: 'subject in another case',
    credentials: (iss, sub) => [credential(iss, sub.toUpperCase())],
    refusal: 'AADSTS700213',
  },
  {
    name: 'issuer with a trailing slash',
    credentials: (iss, sub) => [credential(`${iss}/`, sub)],
    refusal: 'AADSTS700211',
  },
  {
    name: 'another audience',
    credentials: (iss, sub) => [credential(iss, sub, 'api://Other')],
    refusal: 'AADSTS700212',
  },
  {
    name: 'a user token for an environment’s credential',
    principal: 'user',
    credentials: (iss) => [credential(iss, 'organization_id:x:project_id:y:environment_id:z')],
    refusal: 'AADSTS700213',
  },
  {
    name: 'expired',
    credentials: (iss, sub) => [credential(iss, sub)],
    expired: true,
    refusal: 'AADSTS700024',
  },
];

/** A client-credentials request with the token as client assertion, as MSAL sends it; answers Entra's code. */
function exchange(entra: EntraStandIn, ca: Buffer, token: string): Promise<string | undefined> {
  const body = new URLSearchParams({
    client_id: appId,
    scope: 'https://management.azure.com/.default',
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: token,
  }).toString();
  return new Promise((resolve, reject) => {
    const call = request(
      `${entra.url}/${tenant}/oauth2/v2.0/token`,
      { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const answer = JSON.parse(Buffer.concat(chunks).toString()) as { error_codes?: number[] };
          resolve(response.statusCode === 200 ? undefined : `AADSTS${answer.error_codes?.[0]}`);
        });
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

describe('envid idp check azure agrees with the Entra ID stand-in', () => {
  let tokens: CheckTokenSource;
  let certificates: TestCertificates;
  let entra: EntraStandIn;

  beforeAll(async () => {
    tokens = await startCheckTokenSource();
    certificates = await makeTestCertificates();
    entra = await startEntraStandIn(certificates, [
      { tenantId: tenant, appId, objectId: appId.replace(/^./, 'f'), federatedCredentials: [] },
    ]);
  });
  afterAll(async () => {
    await entra?.close();
    await tokens?.stop();
    if (certificates) removeDir(certificates.dir);
  });

  it.each(cases)('$name', async (testCase) => {
    const token = await tokens.token(audience, testCase.principal);
    const { iss, sub } = claimsOf(token);
    const credentials = testCase.credentials(iss, sub);
    const offset = testCase.expired ? secondsPastExpiry(token) : 0;

    // As `az ad app federated-credential list --id <app>` prints them.
    const listed = credentials.map((entry, index) => ({ id: `id-${index}`, description: null, ...entry }));
    const verdict = runTrustCheck(
      azureTrustCheck,
      token,
      { documents: [listed] },
      Math.floor(Date.now() / 1000) + offset,
    );
    entra.apps[0]!.federatedCredentials = credentials;
    entra.clockOffsetSeconds = offset;
    const code = await exchange(entra, readFileSync(certificates.caFile), token);

    expect(code).toBe(testCase.refusal);
    expect(verdict.accepted ? undefined : verdict.code).toBe(testCase.refusal);
  });

  it('names the credential and the first difference of a subject one character off', async () => {
    const token = await tokens.token(audience);
    const { iss, sub } = claimsOf(token);
    const wrong = `${sub.slice(0, -1)}${sub.endsWith('0') ? '1' : '0'}`;
    const verdict = runTrustCheck(azureTrustCheck, token, {
      documents: [{ value: [credential(iss, wrong)] }],
    });
    expect(verdict).toMatchObject({
      code: 'AADSTS700213',
      rule: 'federated credential "envid-dev" subject',
      ruleValue: wrong,
      tokenValue: sub,
      differsAt: sub.length - 1,
    });
  });

  it('refuses --subject-prefix: Entra matches subjects exactly', async () => {
    const token = await tokens.token(audience);
    expect(() =>
      runTrustCheck(azureTrustCheck, token, {
        flags: { issuer: claimsOf(token).iss, subjectPrefix: 'organization_id:' },
      }),
    ).toThrow(/give --subject, not --subject-prefix/);
  });
});
