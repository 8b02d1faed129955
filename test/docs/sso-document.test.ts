import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateCel } from '../../src/shared/evaluate-cel.ts';
import { jsoncValues } from './jsonc-values.ts';
import { fencedBlocks, repoRoot } from './markdown-blocks.ts';

// docs/sso.md is what an admin follows to connect a provider: its method and field names must be the
// API's and the SDK's, and its admission rules must admit and refuse what it says they do.
const doc = 'docs/sso.md';
const text = readFileSync(join(repoRoot, doc), 'utf8');
const sdkDir = join(repoRoot, 'node_modules/@gitpod/sdk/resources/organizations');

/** The rows of the first table under `heading` (before the next heading), as their cells. */
function tableUnder(heading: string): string[][] {
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, `${doc} has the heading "${heading}"`).toBeGreaterThanOrEqual(0);
  const rest = text.slice(start + heading.length + 2);
  const section = rest.slice(0, rest.search(/\n#{2,4} /) === -1 ? undefined : rest.search(/\n#{2,4} /));
  const lines = section.split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith('|'));
  const rows = lines.slice(first, end === -1 ? undefined : end).filter((line) => !/^\|[-| ]+\|$/.test(line));
  return rows.slice(1).map((line) =>
    line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replaceAll('\\|', '|')),
  );
}

/** The code span a table cell starts with (`x` -> x). */
const codeOf = (cell: string) => /^`([^`]+)`/.exec(cell)?.[1];

describe('docs/sso.md: names the API and the SDK use', () => {
  it('names only methods that @gitpod/sdk has on organizations.ssoConfigurations', () => {
    const declared = new Set(
      [
        ...readFileSync(join(sdkDir, 'sso-configurations.d.ts'), 'utf8').matchAll(
          /^ {4}(\w+)\((?:body|params)/gm,
        ),
      ].map((match) => match[1]),
    );
    expect(declared).toEqual(new Set(['create', 'retrieve', 'update', 'list', 'delete']));
    const used = [...text.matchAll(/ssoConfigurations\.(\w+)\(/g)].map((match) => match[1]);
    expect(used.length).toBeGreaterThan(4);
    expect(used.filter((name) => !declared.has(name))).toEqual([]);
  });

  it('names only the SSO methods the SDK calls', () => {
    const paths = new Set(
      [
        ...readFileSync(join(sdkDir, 'sso-configurations.js'), 'utf8').matchAll(
          /OrganizationService\/(\w+)/g,
        ),
      ].map((match) => match[1]),
    );
    const named = [...text.matchAll(/OrganizationService\/(\w*SSOConfiguration\w*)/g)].map(
      (match) => match[1],
    );
    const headed = [...text.matchAll(/^### (\w*SSOConfigurations?\b.*)$/gm)].flatMap((match) =>
      match[1]!.split(', '),
    );
    expect([...named, ...headed].length).toBeGreaterThan(5);
    expect([...named, ...headed].filter((name) => !paths.has(name))).toEqual([]);
  });

  it('documents the configuration fields of the shared contract, and only those', () => {
    const fields = tableUnder('## The configuration, field by field').map((row) => codeOf(row[0]!));
    expect(fields.sort()).toEqual(
      [
        'id',
        'organizationId',
        'issuerUrl',
        'clientId',
        'clientSecret',
        'emailDomain',
        'emailDomains',
        'state',
        'additionalScopes',
        'forwardedClaims',
        'claimsExpression',
        'claims',
        'providerType',
      ].sort(),
    );
  });

  it('shows a Create request with those fields and an answer without the secret', () => {
    const create = fencedBlocks(doc).find((block) => block.body.includes('"clientSecret"'));
    const [request, response] = jsoncValues(create!.body) as [
      Record<string, unknown>,
      { ssoConfiguration: Record<string, unknown> },
    ];
    const fields = new Set(tableUnder('## The configuration, field by field').map((row) => codeOf(row[0]!)));
    expect(Object.keys(request).filter((key) => !fields.has(key))).toEqual([]);
    expect(Object.keys(response.ssoConfiguration).filter((key) => !fields.has(key))).toEqual([]);
    expect(response.ssoConfiguration).not.toHaveProperty('clientSecret');
    expect(request).toMatchObject({ emailDomain: (request.emailDomains as string[])[0] });
  });

  it('writes shell examples that bash can parse', () => {
    const scripts = fencedBlocks(doc).filter((block) => block.language === 'sh');
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const result = spawnSync('bash', ['-n', '-c', script.body], {
        env: { PATH: '/usr/bin:/bin' },
        encoding: 'utf8',
      });
      expect({ line: script.line, stderr: result.stderr, code: result.status }).toEqual({
        line: script.line,
        stderr: '',
        code: 0,
      });
    }
  });
});

describe('docs/sso.md: admission rules do what the page says', () => {
  // For each rule of the table, an ID token's claims it admits and one it refuses.
  const samples: Record<string, [admitted: object, refused: object]> = {
    '"envid-users" in claims.groups': [{ groups: ['platform', 'envid-users'] }, { groups: ['platform'] }],
    '"0b2c6ea0-4f5c-4d25-9d2c-3e0e1b6a2f11" in claims.groups': [
      { groups: ['0b2c6ea0-4f5c-4d25-9d2c-3e0e1b6a2f11'] },
      { groups: ['Platform'] },
    ],
    'claims.hd == "acme.com"': [{ hd: 'acme.com' }, { hd: 'acme.org' }],
    'claims.tid == "66666666-7777-8888-9999-000000000000"': [
      { tid: '66666666-7777-8888-9999-000000000000' },
      { tid: '9188040d-6c67-4c5b-b112-36a304b66dad' },
    ],
    'claims.email_verified && claims.email.endsWith("@acme.com")': [
      { email: 'ada@acme.com', email_verified: true },
      { email: 'ada@acme.com', email_verified: false },
    ],
    'claims.groups.exists(g, g.startsWith("/engineering/"))': [
      { groups: ['/sales', '/engineering/platform'] },
      { groups: ['/engineering'] },
    ],
    'has(claims.groups) && ("platform" in claims.groups || "sre" in claims.groups)': [
      { groups: ['sre'] },
      { email: 'ada@acme.com' },
    ],
  };
  const rules = tableUnder('## Admission with claimsExpression').map((row) => codeOf(row[0]!)!);

  it('has samples for every rule of the table', () => {
    expect(rules.sort()).toEqual(Object.keys(samples).sort());
  });

  it.each(Object.entries(samples))(
    '%s admits its sample and refuses the other',
    (rule, [admitted, refused]) => {
      expect(evaluateCel(rule, { claims: admitted })).toEqual({ ok: true, value: true });
      const outcome = evaluateCel(rule, { claims: refused });
      expect(outcome.ok ? outcome.value : 'error').not.toBe(true);
    },
  );

  it('a missing claim is an error (the rule fails closed), and has() guards it', () => {
    expect(evaluateCel('"envid-users" in claims.groups', { claims: { email: 'ada@acme.com' } }).ok).toBe(
      false,
    );
    expect(evaluateCel('has(claims.hd) && claims.hd == "acme.com"', { claims: {} })).toEqual({
      ok: true,
      value: false,
    });
  });

  it("admits each worked example's documented token with its rule", () => {
    const worked = ['### Microsoft Entra ID', '### Okta', '### Google', '### Keycloak'].map((heading) => {
      const row = tableUnder(heading).find((cells) => cells[0] === '`claimsExpression`');
      return codeOf(row![1]!)!;
    });
    // What each provider's section says it releases, with the section's placeholders as values.
    const claims = { tid: '<tenant-id>', groups: ['<group object ID>', 'envid-users'], hd: 'acme.com' };
    for (const rule of worked)
      expect({ rule, ...evaluateCel(rule, { claims }) }).toEqual({ rule, ok: true, value: true });
  });
});
