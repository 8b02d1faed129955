import { readFileSync } from 'node:fs';
import { compactVerify, createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { keyMaterialFrom } from '../../src/core/keys/generate-key.ts';
import { issueToken } from '../../src/core/tokens/issue-token.ts';
import { prepareSigningKey } from '../../src/core/tokens/token-signer.ts';
import type { OidcConfig } from '../../src/store/records.ts';
import { extraFields, labelFields, subjects } from './principals.ts';

// A fixed key (test/fixtures, test use only) and a frozen clock: every token below is exact.
const material = keyMaterialFrom(
  readFileSync(new URL('../fixtures/signing-key-1.pem', import.meta.url), 'utf8'),
);
const key = prepareSigningKey(material.kid, material.privateKey);
const clock = new ManualClock(Date.UTC(2026, 2, 1, 12, 0, 0, 500));
const issuer = 'https://envid.example.com/';
const jti = '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4';
const kid = 'wFWZRSJMEENvphAZj5Ljc5SRCVyAgjGRJqgD5fcDosM';

const configs: Record<string, OidcConfig> = {
  v2: { version: 'v2' },
  v3: { version: 'v3', extraSubFields: [] },
  'v3 extra': { version: 'v3', extraSubFields: extraFields },
  'v3 labels': { version: 'v3', extraSubFields: labelFields, labelClaims: true },
};

type Case = [subject: keyof typeof subjects, config: keyof typeof configs, payload: Record<string, unknown>];

// Whole expected payloads, in claim order. V2 takes no extra fields, so it has one case per principal.
// The fixtures' project and environment have labels: only 'v3 labels' asks for them.
const golden: Case[] = [
  [
    'projectEnvironment',
    'v3 labels',
    {
      iss: 'https://envid.example.com/',
      // `:` is %3A and `%` is %25 (so the value's own "%3A" becomes %253A); the empty label and the
      // missing one are left out, as every absent value.
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:project_id:51b26e54-708f-4192-83a4-becfd0415206:project_labels.team:web%3Acore:project_labels.cost.center:42%25:environment_labels.note:a%3Ab%253A',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      project_id: '51b26e54-708f-4192-83a4-becfd0415206',
      environment_id: '62c37f65-8190-42a3-94b5-cfd0e1526307',
      runner_id: '40a15d43-6f7e-4081-b293-adbecf304105',
      creator_id: '1d7e2a10-3c4b-4d5e-8f60-7a8b9c0d1e02',
      creator_principal: 'user',
      creator_email: 'ada@example.com',
      creator_name: 'Ada Lovelace',
      creator_idp: 'https://sso.example.com/',
      creator_idp_claims: { department: 'engines:analytical', groups: ['eng', 'ops'] },
      environment_initializers: [
        { context_url: 'https://github.com/acme/backend/tree/main' },
        {
          git: {
            remote_uri: 'https://github.com/acme/backend.git',
            upstream_remote_uri: 'https://github.com/up/backend.git',
          },
        },
      ],
      project_labels: { 'cost.center': '42%', team: 'web:core' },
      environment_labels: { empty: '', note: 'a:b%3A', tier: 'ci' },
    },
  ],
  [
    'bareEnvironment',
    'v3 labels',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      environment_id: '73d48076-92a1-43b4-a5c6-d0e1f2637408',
      runner_id: '40a15d43-6f7e-4081-b293-adbecf304105',
      creator_id: '3f904c32-5e6d-4f70-a182-9cadbe2f3004',
      creator_principal: 'service_account',
      creator_name: 'deploy-bot',
    },
  ],
  [
    'projectEnvironment',
    'v2',
    {
      iss: 'https://envid.example.com/',
      sub: 'org:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01/prj:51b26e54-708f-4192-83a4-becfd0415206/env:62c37f65-8190-42a3-94b5-cfd0e1526307',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      org: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      gsub: { id: '62c37f65-8190-42a3-94b5-cfd0e1526307', principal: 'PRINCIPAL_ENVIRONMENT' },
    },
  ],
  [
    'projectEnvironment',
    'v3',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:project_id:51b26e54-708f-4192-83a4-becfd0415206',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      project_id: '51b26e54-708f-4192-83a4-becfd0415206',
      environment_id: '62c37f65-8190-42a3-94b5-cfd0e1526307',
      runner_id: '40a15d43-6f7e-4081-b293-adbecf304105',
      creator_id: '1d7e2a10-3c4b-4d5e-8f60-7a8b9c0d1e02',
      creator_principal: 'user',
      creator_email: 'ada@example.com',
      creator_name: 'Ada Lovelace',
      creator_idp: 'https://sso.example.com/',
      creator_idp_claims: {
        department: 'engines:analytical',
        groups: ['eng', 'ops'],
      },
      environment_initializers: [
        {
          context_url: 'https://github.com/acme/backend/tree/main',
        },
        {
          git: {
            remote_uri: 'https://github.com/acme/backend.git',
            upstream_remote_uri: 'https://github.com/up/backend.git',
          },
        },
      ],
    },
  ],
  [
    'projectEnvironment',
    'v3 extra',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:project_id:51b26e54-708f-4192-83a4-becfd0415206:environment_initializers.git.remote_uri:https%3A//github.com/acme/backend.git:environment_initializers.context_url:https%3A//github.com/acme/backend/tree/main:creator_idp_claims.department:engines%3Aanalytical:creator_principal:user',
      aud: ['sts.amazonaws.com', 'api://AzureADTokenExchange'],
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      project_id: '51b26e54-708f-4192-83a4-becfd0415206',
      environment_id: '62c37f65-8190-42a3-94b5-cfd0e1526307',
      runner_id: '40a15d43-6f7e-4081-b293-adbecf304105',
      creator_id: '1d7e2a10-3c4b-4d5e-8f60-7a8b9c0d1e02',
      creator_principal: 'user',
      creator_email: 'ada@example.com',
      creator_name: 'Ada Lovelace',
      creator_idp: 'https://sso.example.com/',
      creator_idp_claims: {
        department: 'engines:analytical',
        groups: ['eng', 'ops'],
      },
      environment_initializers: [
        {
          context_url: 'https://github.com/acme/backend/tree/main',
        },
        {
          git: {
            remote_uri: 'https://github.com/acme/backend.git',
            upstream_remote_uri: 'https://github.com/up/backend.git',
          },
        },
      ],
    },
  ],
  [
    'bareEnvironment',
    'v2',
    {
      iss: 'https://envid.example.com/',
      sub: 'org:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01/env:73d48076-92a1-43b4-a5c6-d0e1f2637408',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      org: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      gsub: { id: '73d48076-92a1-43b4-a5c6-d0e1f2637408', principal: 'PRINCIPAL_ENVIRONMENT' },
    },
  ],
  [
    'bareEnvironment',
    'v3',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      environment_id: '73d48076-92a1-43b4-a5c6-d0e1f2637408',
      runner_id: '40a15d43-6f7e-4081-b293-adbecf304105',
      creator_id: '3f904c32-5e6d-4f70-a182-9cadbe2f3004',
      creator_principal: 'service_account',
      creator_name: 'deploy-bot',
    },
  ],
  [
    'bareEnvironment',
    'v3 extra',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:creator_principal:service_account',
      aud: ['sts.amazonaws.com', 'api://AzureADTokenExchange'],
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      environment_id: '73d48076-92a1-43b4-a5c6-d0e1f2637408',
      runner_id: '40a15d43-6f7e-4081-b293-adbecf304105',
      creator_id: '3f904c32-5e6d-4f70-a182-9cadbe2f3004',
      creator_principal: 'service_account',
      creator_name: 'deploy-bot',
    },
  ],
  [
    'ssoUser',
    'v2',
    {
      iss: 'https://envid.example.com/',
      sub: 'org:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01/user:1d7e2a10-3c4b-4d5e-8f60-7a8b9c0d1e02',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      org: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      gsub: { id: '1d7e2a10-3c4b-4d5e-8f60-7a8b9c0d1e02', principal: 'PRINCIPAL_USER' },
    },
  ],
  [
    'ssoUser',
    'v3',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:user_id:1d7e2a10-3c4b-4d5e-8f60-7a8b9c0d1e02',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      user_id: '1d7e2a10-3c4b-4d5e-8f60-7a8b9c0d1e02',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      idp: 'https://sso.example.com/',
      idp_claims: {
        department: 'engines:analytical',
        groups: ['eng', 'ops'],
      },
    },
  ],
  [
    'ssoUser',
    'v3 extra',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:user_id:1d7e2a10-3c4b-4d5e-8f60-7a8b9c0d1e02:idp_claims.department:engines%3Aanalytical:name:Ada Lovelace',
      aud: ['sts.amazonaws.com', 'api://AzureADTokenExchange'],
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      user_id: '1d7e2a10-3c4b-4d5e-8f60-7a8b9c0d1e02',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      idp: 'https://sso.example.com/',
      idp_claims: {
        department: 'engines:analytical',
        groups: ['eng', 'ops'],
      },
    },
  ],
  [
    'plainUser',
    'v2',
    {
      iss: 'https://envid.example.com/',
      sub: 'org:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01/user:2e8f3b21-4d5c-4e6f-9071-8b9cad1e2f03',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      org: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      gsub: { id: '2e8f3b21-4d5c-4e6f-9071-8b9cad1e2f03', principal: 'PRINCIPAL_USER' },
    },
  ],
  [
    'plainUser',
    'v3',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:user_id:2e8f3b21-4d5c-4e6f-9071-8b9cad1e2f03',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      user_id: '2e8f3b21-4d5c-4e6f-9071-8b9cad1e2f03',
      email: 'grace@example.com',
      name: 'Grace Hopper',
    },
  ],
  [
    'plainUser',
    'v3 extra',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:user_id:2e8f3b21-4d5c-4e6f-9071-8b9cad1e2f03:name:Grace Hopper',
      aud: ['sts.amazonaws.com', 'api://AzureADTokenExchange'],
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      user_id: '2e8f3b21-4d5c-4e6f-9071-8b9cad1e2f03',
      email: 'grace@example.com',
      name: 'Grace Hopper',
    },
  ],
  [
    'serviceAccount',
    'v2',
    {
      iss: 'https://envid.example.com/',
      sub: 'org:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01/sa:3f904c32-5e6d-4f70-a182-9cadbe2f3004',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      org: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      gsub: { id: '3f904c32-5e6d-4f70-a182-9cadbe2f3004', principal: 'PRINCIPAL_SERVICE_ACCOUNT' },
    },
  ],
  [
    'serviceAccount',
    'v3',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:service_account_id:3f904c32-5e6d-4f70-a182-9cadbe2f3004',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      service_account_id: '3f904c32-5e6d-4f70-a182-9cadbe2f3004',
      name: 'deploy-bot',
    },
  ],
  [
    'serviceAccount',
    'v3 extra',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:service_account_id:3f904c32-5e6d-4f70-a182-9cadbe2f3004:name:deploy-bot',
      aud: ['sts.amazonaws.com', 'api://AzureADTokenExchange'],
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      service_account_id: '3f904c32-5e6d-4f70-a182-9cadbe2f3004',
      name: 'deploy-bot',
    },
  ],
  [
    'runner',
    'v2',
    {
      iss: 'https://envid.example.com/',
      sub: 'org:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01/rnr:40a15d43-6f7e-4081-b293-adbecf304105',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      org: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      gsub: { id: '40a15d43-6f7e-4081-b293-adbecf304105', principal: 'PRINCIPAL_RUNNER' },
    },
  ],
  [
    'runner',
    'v3',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:runner_id:40a15d43-6f7e-4081-b293-adbecf304105',
      aud: 'sts.amazonaws.com',
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      runner_id: '40a15d43-6f7e-4081-b293-adbecf304105',
      runner_name: 'eu-west runner',
    },
  ],
  [
    'runner',
    'v3 extra',
    {
      iss: 'https://envid.example.com/',
      sub: 'organization_id:0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01:runner_id:40a15d43-6f7e-4081-b293-adbecf304105:runner_name:eu-west runner',
      aud: ['sts.amazonaws.com', 'api://AzureADTokenExchange'],
      iat: 1772366400,
      nbf: 1772366370,
      exp: 1772370000,
      jti: '9f1c2d3e-4b5a-4697-8887-a9b0c1d2e3f4',
      organization_id: '0b5c5f0e-5a4b-4e8e-9b55-6a0c4f1d2e01',
      runner_id: '40a15d43-6f7e-4081-b293-adbecf304105',
      runner_name: 'eu-west runner',
    },
  ],
];

describe('golden tokens (fixed key, frozen clock)', () => {
  const jwks = createLocalJWKSet({ keys: [material.publicJwk] });

  it('uses the fixed key whose kid is its RFC 7638 thumbprint', () => {
    expect(material.kid).toBe(kid);
  });

  it.each(golden)('%s %s', async (subjectName, configName, expected) => {
    const audiences =
      configName === 'v3 extra' ? ['sts.amazonaws.com', 'api://AzureADTokenExchange'] : ['sts.amazonaws.com'];
    const { token } = issueToken({
      issuer,
      audiences,
      now: clock.now(),
      jti,
      subject: subjects[subjectName],
      oidcConfig: configs[configName]!,
      key,
    });
    const [header, payload] = token.split('.');
    expect(Buffer.from(header!, 'base64url').toString()).toBe(
      JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }),
    );
    expect(Buffer.from(payload!, 'base64url').toString()).toBe(JSON.stringify(expected));
    // The signature verifies with a standard library against the published JWK.
    await compactVerify(token, jwks);
    const verified = await jwtVerify(token, jwks, {
      issuer,
      audience: 'sts.amazonaws.com',
      currentDate: clock.now(),
      algorithms: ['RS256'],
    });
    expect(verified.payload).toEqual(expected);
  });

  it('refuses a token whose payload was changed', async () => {
    const { token } = issueToken({
      issuer,
      audiences: ['sts.amazonaws.com'],
      now: clock.now(),
      jti,
      subject: subjects.runner,
      oidcConfig: configs.v3!,
      key,
    });
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'organization_id:other' })).toString('base64url');
    await expect(compactVerify(`${header}.${forged}.${signature}`, jwks)).rejects.toThrow();
  });
});
