import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { withFlagHints } from '../../src/cli/admin/run-admin-request.ts';
import { fieldsOf, tableOf } from '../../src/cli/admin/views.ts';
import { formatFields, formatTable, shortTime } from '../../src/cli/output.ts';
import { shellQuote } from '../../src/shared/shell-quote.ts';

describe('CLI output', () => {
  it('aligns table columns to the widest cell, without trailing spaces', () => {
    expect(
      formatTable(
        ['ID', 'NAME', 'X'],
        [
          ['1', 'Acme', ''],
          ['22222', 'B', 'y'],
        ],
      ),
    ).toBe('ID     NAME  X\n1      Acme\n22222  B     y\n');
    expect(formatTable(['ID'], [])).toBe('ID\n');
  });

  it('aligns label: value lines', () => {
    expect(
      formatFields([
        ['id', '1'],
        ['organization', 'o'],
      ]),
    ).toBe('id:           1\norganization: o\n');
  });

  it('shows API objects in their view: roles, phases, principals and times shortened', () => {
    const environment = {
      id: 'e',
      metadata: {
        runnerId: 'r',
        creator: { id: 'u', principal: 'PRINCIPAL_SERVICE_ACCOUNT' },
        createdAt: '2026-11-01T09:30:00.123Z',
      },
      spec: {
        content: {
          initializer: {
            specs: [{ git: { remoteUri: 'g', upstreamRemoteUri: 'up' } }, { contextUrl: { url: 'c' } }],
          },
        },
      },
      status: { phase: 'ENVIRONMENT_PHASE_STOPPED' },
    };
    expect(fieldsOf('environment', environment)).toEqual([
      ['id', 'e'],
      ['phase', 'stopped'],
      ['runner', 'r'],
      ['creator', 'service_account:u'],
      ['created', '2026-11-01T09:30:00Z'],
      ['initializers', 'g, upstream up, c'],
    ]);
    expect(
      tableOf('member', [{ userId: 'u', email: 'e', fullName: 'n', role: 'ORGANIZATION_ROLE_ADMIN' }]).rows,
    ).toEqual([['u', 'e', 'n', 'admin', '']]);
    expect(shortTime('2026-11-01T09:30:00Z')).toBe('2026-11-01T09:30:00Z');
  });

  it('quotes shell words so that sh reads them back unchanged', () => {
    for (const value of ["it's", 'a b $HOME `x` "q" \\', 'envid_ent_abc-_', '']) {
      expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`]).toString()).toBe(value);
    }
  });

  it('names the flag in the server’s refusals', () => {
    expect(withFlagHints('h: invalid_argument: organizationId: is required')).toBe(
      'h: invalid_argument: organizationId: is required (set by --org)',
    );
    expect(
      withFlagHints('h: invalid_argument: oidcConfig.v3.extraSubFields[0]: "repo" is not allowed'),
    ).toMatch(/\(set by --extra-sub-field\)$/);
    expect(withFlagHints('h: invalid_argument: spec.content.initializer.specs[0]: bad')).toMatch(
      /--git-remote/,
    );
    expect(withFlagHints('h: failed_precondition: … or pass "force": true to delete them')).toMatch(
      /\(with envid: --force\)$/,
    );
    expect(withFlagHints('h: invalid_argument: audience: too long')).toBe(
      'h: invalid_argument: audience: too long',
    );
  });
});

describe('rendered answers', () => {
  const capture = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: {
        stdout: {
          write: (text: string) => {
            out.stdout += text;
            return true;
          },
        },
        stderr: {
          write: (text: string) => {
            out.stderr += text;
            return true;
          },
        },
      },
    };
  };

  it('key changes: the decisions, then the keys (why nothing rotated is the exit code 6 error, on stderr)', async () => {
    const { renderAnswer } = await import('../../src/cli/admin/render.ts');
    const { out, io } = capture();
    renderAnswer(
      'keyChange',
      {
        rotated: false,
        message: 'too early',
        decisions: [{ action: 'create', state: 'next', reason: 'next_key' }],
        keys: [
          { keyId: 'k1', state: 'current', algorithm: 'RS256', publishedAt: '2026-11-01T09:00:00.000Z' },
        ],
      },
      io as never,
    );
    expect(out.stdout).toBe(
      'ACTION  KEY ID  STATE  REASON\ncreate          next   next_key\n\n' +
        'KEY ID  STATE    ALGORITHM  PUBLISHED             ACTIVATED  RETIRED\n' +
        'k1      current  RS256      2026-11-01T09:00:00Z\n',
    );
    expect(out.stderr).toBe('');
  });

  it('oidc configuration and its preview; warnings go to stderr', async () => {
    const { renderAnswer } = await import('../../src/cli/admin/render.ts');
    const set = capture();
    renderAnswer(
      'oidcConfig',
      { oidcConfig: { v2: {} }, warnings: [{ code: 'w', message: 'careful' }] },
      set.io as never,
    );
    expect(set.out).toEqual({ stdout: 'token format: v2\n', stderr: 'envid: warning (w): careful\n' });
    const preview = capture();
    renderAnswer(
      'oidcPreview',
      {
        oidcConfig: { v3: { extraSubFields: [] } },
        currentOidcConfig: { v3: { extraSubFields: ['project_id'] } },
        principals: [{ principal: 'runner', example: 'synthetic', id: 'r', sub: 's' }],
        subChangeCount: 0,
        confirmSubChangeRequired: false,
      },
      preview.io as never,
    );
    expect(preview.out.stdout).toBe(
      'current:  v3, extra sub fields: project_id\nproposed: v3 (no extra sub fields)\n\n' +
        'PRINCIPAL  EXAMPLE    ID  SUB\nrunner     synthetic  r   s\n\n' +
        'No existing principal would get a new sub.\n',
    );
    const shaped = capture();
    renderAnswer(
      'oidcPreview',
      {
        oidcConfig: { v3: { extraSubFields: [] } },
        currentOidcConfig: { v3: { extraSubFields: [] } },
        audienceProfile: { name: 'aws', oidcConfig: { v3: { extraSubFields: ['project_id'] } } },
        principals: [],
        subChangeCount: 0,
      },
      shaped.io as never,
    );
    expect(shaped.out.stdout).toContain(
      "audience profile: aws (v3, extra sub fields: project_id): it shapes these audiences' tokens, not the proposed configuration\n",
    );
  });
});
