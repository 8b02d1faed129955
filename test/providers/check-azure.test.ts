import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { azureTrustCheck } from '../../src/relying-parties/azure/check.ts';
import {
  checkFederatedCredentials,
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

  it('the 20 and 600 limits: what Entra holds both take, what Graph refuses to create neither does', async () => {
    const token = await tokens.token(audience);
    const { iss, sub } = claimsOf(token);
    const others = (count: number) =>
      Array.from({ length: count }, (_, index) =>
        credential(iss, `${sub}:${index}`, audience, `other-${index}`),
      );
    const subject600 = `${sub}:${'x'.repeat(600 - sub.length - 1)}`;
    const loads = (credentials: FederatedIdentityCredential[]) => {
      const check = () => runTrustCheck(azureTrustCheck, token, { documents: [credentials] });
      const create = () => checkFederatedCredentials(credentials);
      return { check, create };
    };

    // Twenty, the token's own last; a subject of 600 characters: accepted, refused, as Entra answers.
    const twenty = [...others(19), credential(iss, sub)];
    expect(loads(twenty).create).not.toThrow();
    entra.clockOffsetSeconds = 0;
    entra.apps[0]!.federatedCredentials = twenty;
    expect(await exchange(entra, readFileSync(certificates.caFile), token)).toBeUndefined();
    expect(loads(twenty).check()).toMatchObject({ accepted: true });
    const long = [credential(iss, subject600)];
    expect(subject600).toHaveLength(600);
    expect(loads(long).create).not.toThrow();
    entra.apps[0]!.federatedCredentials = long;
    expect(await exchange(entra, readFileSync(certificates.caFile), token)).toBe('AADSTS700213');
    expect(loads(long).check()).toMatchObject({ code: 'AADSTS700213' });

    // Twenty-one, or a subject of 601 characters: Graph refuses to create it, the check to read it.
    const twentyOne = [...others(20), credential(iss, sub)];
    expect(loads(twentyOne).create).toThrow(/at most 20/);
    expect(loads(twentyOne).check).toThrow(/config 1: 21 federated credentials; Entra holds at most 20/);
    const tooLong = [credential(iss, `${subject600}x`)];
    expect(loads(tooLong).create).toThrow(/at most 600/);
    expect(loads(tooLong).check).toThrow(/credential 1: subject has 601 characters; Entra holds at most 600/);
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
