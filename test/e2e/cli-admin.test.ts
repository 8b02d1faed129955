import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminGroupNames } from '../support/admin-group-names.ts';
import { type EnvidProcess, envidBin, removeDir, startEnvid } from '../support/envid-process.ts';
import { type CliResult, runCli } from '../support/run-cli.ts';

// One real server for the file; every admin task goes through the built CLI, each run a process of its own.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const secretWarning = /store it now; it cannot be shown again/;

describe('envid admin commands against envid serve', () => {
  let server: EnvidProcess;
  const dir = mkdtempSync(join(tmpdir(), 'envid-cli-admin-e2e-'));
  /** Set up by the first test, used by the later ones. */
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startEnvid();
  });

  afterAll(async () => {
    if (server) {
      expect(await server.stop()).toBe(0);
      removeDir(server.dataDir);
    }
    removeDir(dir);
  });

  const envFor = (token: string) => ({ HOME: dir, ENVID_HOST: server.url, ENVID_TOKEN: token });
  const cli = (token: string, ...args: string[]) => runCli(args, envFor(token));
  /** Runs a command that must succeed with --json and parses its stdout. */
  async function json(token: string, ...args: string[]): Promise<any> {
    const result = await cli(token, ...args, '--json');
    expect({ args, code: result.code, stderr: result.stderr }).toMatchObject({ args, code: 0 });
    return JSON.parse(result.stdout);
  }
  function expectFailure(result: CliResult, code: number, message: RegExp): void {
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({
      code,
      stderr: expect.stringMatching(message),
    });
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
  }
  /** A secret printed alone on stdout, with the warning on stderr. */
  function expectSecret(result: CliResult, prefix: string): string {
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${prefix}[\\w-]+\\n$`));
    expect(result.stderr).toMatch(secretWarning);
    expect(result.stderr).not.toContain(result.stdout.trim());
    return result.stdout.trim();
  }

  it('installation admin: org, user, members and personal access tokens; tables and paging', async () => {
    const admin = server.adminToken;
    const { organization } = await json(admin, 'org', 'create', '--name', 'Acme');
    expect(Object.keys(organization)).toEqual(['id', 'name', 'createdAt']);
    expect(organization).toMatchObject({ id: expect.stringMatching(uuid), name: 'Acme' });
    ids['org'] = organization.id;
    expect(await json(admin, 'org', 'get', organization.id)).toEqual({ organization });
    const orgTable = await cli(admin, 'org', 'list');
    expect(orgTable.stdout).toMatch(
      new RegExp(`^ID\\s+NAME\\s+CREATED\\s+INVITE DOMAINS\\n${organization.id}  Acme  \\S+Z\\n$`),
    );

    const { user: ada } = await json(admin, 'user', 'create', '--email', 'Ada@Acme.example', '--name', 'Ada');
    expect(ada).toMatchObject({ email: 'ada@acme.example', name: 'Ada' });
    const { user: bob } = await json(admin, 'user', 'create', '--email', 'bob@acme.example', '--name', 'Bob');
    ids['ada'] = ada.id;
    ids['bob'] = bob.id;
    const member = await json(
      admin,
      'org',
      'members',
      'add',
      ada.id,
      '--role',
      'admin',
      '--org',
      organization.id,
    );
    expect(member.member).toMatchObject({ userId: ada.id, role: 'ORGANIZATION_ROLE_ADMIN' });
    expect((await cli(admin, 'org', 'members', 'add', bob.id, '--org', organization.id)).code).toBe(0);
    const setRole = await cli(
      admin,
      'org',
      'members',
      'set-role',
      bob.id,
      '--role',
      'admin',
      '--org',
      organization.id,
    );
    expect(setRole).toEqual({ code: 0, stdout: `user ${bob.id} is now admin\n`, stderr: '' });
    const members = await json(admin, 'org', 'members', 'list', '--org', organization.id);
    expect(members.members.map((m: any) => [m.email, m.role])).toEqual([
      ['ada@acme.example', 'ORGANIZATION_ROLE_ADMIN'],
      ['bob@acme.example', 'ORGANIZATION_ROLE_ADMIN'],
    ]);

    // One page at a time: the table, and a hint with the next page's token on stderr.
    const firstPage = await cli(admin, 'user', 'list', '--page-size', '1');
    expect(firstPage.code).toBe(0);
    expect(firstPage.stdout.trim().split('\n')).toHaveLength(2);
    // Users are installation-wide: the list has no organization column (ListUsers answers none).
    expect(firstPage.stdout).toMatch(
      new RegExp(`^ID\\s+EMAIL\\s+NAME\\s+CREATED\\n${ada.id}  ada@acme\\.example  Ada   \\S+Z\\n$`),
    );
    const next = /--page-token (\S+)/.exec(firstPage.stderr)?.[1];
    expect(next).toBeDefined();
    const secondPage = await json(admin, 'user', 'list', '--page-size', '1', '--page-token', next!);
    expect(secondPage.users).toHaveLength(1);
    const all = await json(admin, 'user', 'list', '--page-size', '1', '--all');
    expect(all).toEqual({
      users: [expect.objectContaining({ id: ada.id }), expect.objectContaining({ id: bob.id })],
      pagination: {},
    });

    const patResult = await cli(
      admin,
      'pat',
      'create',
      '--user',
      ada.id,
      '--org',
      organization.id,
      '--description',
      'cli',
      '--valid-for',
      '30d',
    );
    ids['pat'] = expectSecret(patResult, 'envid_pat_');
    const bobPat = await json(
      admin,
      'pat',
      'create',
      '--user',
      bob.id,
      '--org',
      organization.id,
      '--description',
      'bob',
    );
    expect(bobPat.token).toMatch(/^envid_pat_/);
    ids['bobPat'] = bobPat.token;
    ids['bobPatId'] = bobPat.personalAccessToken.id;

    // The admin acts in no organization: commands that need one say which flag names it.
    expectFailure(await cli(admin, 'org', 'get'), 2, /missing <organization-id>: .*installation admin/);
    expectFailure(await cli(admin, 'org', 'members', 'list'), 2, /missing --org/);
    expectFailure(await cli(admin, 'runner', 'create', '--name', 'x'), 2, /organizationId.*\(set by --org\)/);
    expectFailure(await cli(admin, 'org', 'get', '00000000-0000-4000-8000-000000000000'), 4, /not_found/);
    expectFailure(await cli(admin, 'user', 'create', '--name', 'x'), 2, /required option '--email <email>'/);
    expectFailure(await cli(ids['pat'], 'user', 'list'), 3, /does not allow this/);
  });

  it('organization admin: service accounts, runners, projects and their tokens', async () => {
    const pat = ids['pat']!;
    const me = await json(pat, 'user', 'me');
    expect(me.user).toMatchObject({ id: ids['ada'], organizationId: ids['org'] });
    expect((await json(pat, 'org', 'get')).organization.id).toBe(ids['org']);

    const { serviceAccount } = await json(pat, 'service-account', 'create', '--name', 'deployer');
    expect(serviceAccount).toMatchObject({ name: 'deployer', organizationId: ids['org'] });
    expect(await json(pat, 'sa', 'get', serviceAccount.id)).toEqual({ serviceAccount });
    expect((await json(pat, 'sa', 'list')).serviceAccounts).toEqual([serviceAccount]);
    const satResult = await cli(
      pat,
      'sa',
      'tokens',
      'create',
      serviceAccount.id,
      '--description',
      'CI',
      '--valid-for',
      '90d',
    );
    const sat = expectSecret(satResult, 'envid_sat_');
    const whoami = await json(sat, 'idp', 'whoami');
    expect(whoami.subject).toEqual({ id: serviceAccount.id, principal: 'PRINCIPAL_SERVICE_ACCOUNT' });
    const satList = await json(pat, 'sa', 'tokens', 'list', serviceAccount.id);
    expect(satList.serviceAccountTokens).toEqual([
      expect.objectContaining({ description: 'CI', expiresAt: expect.any(String) }),
    ]);
    const revokedSat = await cli(pat, 'sa', 'tokens', 'revoke', satList.serviceAccountTokens[0].id);
    expect(revokedSat.code).toBe(0);
    expectFailure(await cli(sat, 'idp', 'whoami'), 3, /refused the credential from ENVID_TOKEN/);

    const { runner } = await json(pat, 'runner', 'create', '--name', 'eu-1');
    ids['runner'] = runner.runnerId;
    expect(await json(pat, 'runner', 'get', runner.runnerId)).toEqual({ runner });
    const rnt = expectSecret(
      await cli(pat, 'runner', 'tokens', 'create', runner.runnerId, '--description', 'eu-1 host'),
      'envid_rnt_',
    );
    expect((await json(rnt, 'runner', 'get', runner.runnerId)).runner.runnerId).toBe(runner.runnerId);
    const rntList = await json(pat, 'runner', 'tokens', 'list', runner.runnerId);
    expect(rntList.tokens).toEqual([expect.objectContaining({ description: 'eu-1 host' })]);
    const revoked = await json(pat, 'runner', 'tokens', 'revoke', runner.runnerId, rntList.tokens[0].id);
    expect(revoked.token.revokedAt).toEqual(expect.any(String));
    expectFailure(await cli(rnt, 'runner', 'get', runner.runnerId), 3, /refused the credential/);

    const { project } = await json(
      pat,
      'project',
      'create',
      '--name',
      'app',
      '--git-remote',
      'https://github.com/acme/app.git',
      '--upstream-remote',
      'https://github.com/upstream/app.git',
    );
    ids['project'] = project.id;
    expect(project.initializer.specs).toEqual([
      {
        git: {
          remoteUri: 'https://github.com/acme/app.git',
          upstreamRemoteUri: 'https://github.com/upstream/app.git',
        },
      },
    ]);
    expect((await json(pat, 'project', 'list')).projects.map((p: any) => p.id)).toEqual([project.id]);
    const projectView = await cli(pat, 'project', 'get', project.id);
    expect(projectView.stdout).toMatch(
      /^initializers: https:\/\/github.com\/acme\/app.git, upstream https:\/\/github.com\/upstream\/app.git$/m,
    );
    expectFailure(
      await cli(pat, 'project', 'create', '--name', 'x', '--context-url', 'nope'),
      2,
      /invalid --context-url/,
    );
  });

  it('environments: create, list, token --export into a shell, stop/start/delete; projects and runners go', async () => {
    const pat = ids['pat']!;
    const { environment } = await json(
      pat,
      'env',
      'create',
      '--runner',
      ids['runner']!,
      '--project',
      ids['project']!,
    );
    expect(environment).toMatchObject({
      metadata: { projectId: ids['project'], runnerId: ids['runner'] },
      status: { phase: 'ENVIRONMENT_PHASE_RUNNING' },
    });
    const listed = await json(pat, 'env', 'list', '--phase', 'running', '--runner', ids['runner']!);
    expect(listed.environments.map((e: any) => e.id)).toEqual([environment.id]);
    expect((await json(pat, 'env', 'list', '--phase', 'stopped')).environments).toEqual([]);

    // The runner's own token runs the environment: it lists it, stops and starts it, mints its token;
    // deleting it is not the runner's call.
    const runnerToken = (await cli(pat, 'runner', 'tokens', 'create', ids['runner']!)).stdout.trim();
    expect(runnerToken).toMatch(/^envid_rnt_/);
    const onRunner = await json(runnerToken, 'env', 'list');
    expect(onRunner.environments.map((e: any) => e.id)).toEqual([environment.id]);
    expect((await cli(runnerToken, 'env', 'stop', environment.id)).code).toBe(0);
    expect((await cli(runnerToken, 'env', 'start', environment.id)).code).toBe(0);
    expectFailure(
      await cli(runnerToken, 'env', 'delete', environment.id),
      3,
      /permission_denied|does not allow/,
    );

    // What a runner does: export lines into the environment's shell, then `envid idp token` in there.
    const exported = await cli(runnerToken, 'env', 'token', environment.id, '--export');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(
      /^export ENVID_HOST='http:\/\/127\.0\.0\.1:\d+'\nexport ENVID_TOKEN='envid_ent_[\w-]+'\n$/,
    );
    expect(exported.stderr).toMatch(secretWarning);
    const inside = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        'sh',
        ['-c', `${exported.stdout}"$NODE" "$ENVID_BIN" idp token --audience sts.amazonaws.com --decode`],
        { env: { PATH: process.env['PATH'], HOME: dir, NODE: process.execPath, ENVID_BIN: envidBin } },
        (error, stdout) => resolve({ code: error ? 1 : 0, stdout }),
      );
    });
    expect(inside.code).toBe(0);
    const token = JSON.parse(inside.stdout);
    expect(token.Claims).toMatchObject({
      aud: 'sts.amazonaws.com',
      environment_id: environment.id,
      project_id: ids['project'],
    });
    const envToken = /ENVID_TOKEN='([^']+)'/.exec(exported.stdout)![1]!;
    const other = await cli(
      pat,
      'env',
      'token',
      environment.id,
      '--export',
      '--export-host',
      'https://envid.internal:8443',
    );
    expect(other.stdout).toMatch(/^export ENVID_HOST='https:\/\/envid.internal:8443'\n/);
    expectSecret(await cli(pat, 'env', 'token', environment.id), 'envid_ent_');

    // A leaked token is revoked alone: the environment and its other tokens carry on.
    const leakedRun = await cli(pat, 'env', 'token', environment.id);
    const leaked = expectSecret(leakedRun, 'envid_ent_');
    const leakedId = /access token ([0-9a-f-]{36}) of environment/.exec(leakedRun.stderr)![1]!;
    const envTokens = await json(runnerToken, 'env', 'tokens', 'list', environment.id);
    expect(envTokens.tokens.map((t: any) => t.id)).toContain(leakedId);
    expect(JSON.stringify(envTokens)).not.toContain(leaked);
    const revokedRun = await cli(runnerToken, 'env', 'tokens', 'revoke', environment.id, leakedId);
    expect(revokedRun.code).toBe(0);
    expect(revokedRun.stdout).toMatch(/^revoked: +\S+/m);
    expectFailure(await cli(leaked, 'idp', 'token', '--audience', 'a'), 3, /refused the credential/);
    expect((await cli(envToken, 'idp', 'token', '--audience', 'a')).code).toBe(0);

    expect(await cli(pat, 'env', 'stop', environment.id)).toEqual({
      code: 0,
      stdout: `stopped environment ${environment.id}\n`,
      stderr: '',
    });
    expectFailure(await cli(envToken, 'idp', 'token', '--audience', 'a'), 3, /refused the credential/);
    expect((await cli(pat, 'env', 'start', environment.id)).code).toBe(0);
    expect((await cli(envToken, 'idp', 'token', '--audience', 'a')).code).toBe(0);
    expect((await json(pat, 'env', 'get', environment.id)).environment.status.phase).toBe(
      'ENVIRONMENT_PHASE_RUNNING',
    );

    const second = await json(
      pat,
      'env',
      'create',
      '--runner',
      ids['runner']!,
      '--git-remote',
      'https://github.com/acme/other.git',
      '--stopped',
    );
    expect(second.environment.status.phase).toBe('ENVIRONMENT_PHASE_STOPPED');
    expect((await cli(pat, 'env', 'delete', environment.id)).code).toBe(0);
    expect((await json(pat, 'env', 'get', environment.id)).environment.status.phase).toBe(
      'ENVIRONMENT_PHASE_DELETED',
    );
    expectFailure(await cli(envToken, 'idp', 'token', '--audience', 'a'), 3, /refused the credential/);

    // The second environment is still there: runner delete needs --force, and the server's hint names it.
    expectFailure(
      await cli(pat, 'runner', 'delete', ids['runner']!),
      1,
      /failed_precondition.*\(with envid: --force\)/,
    );
    expect((await cli(pat, 'project', 'delete', ids['project']!)).code).toBe(0);
    expect((await cli(pat, 'runner', 'delete', ids['runner']!, '--force')).code).toBe(0);
    // A deleted runner's environment records go with it.
    expectFailure(await cli(pat, 'env', 'get', second.environment.id), 4, /not_found/);
    expectFailure(await cli(pat, 'runner', 'get', ids['runner']!), 4, /not_found/);
  });

  it('oidc-config get, preview, set (with --confirm-sub-change) and the audit log', async () => {
    const pat = ids['pat']!;
    expect(await json(pat, 'oidc-config', 'get')).toEqual({ oidcConfig: { v3: { extraSubFields: [] } } });
    const emailFormat = ['--version', 'v3', '--extra-sub-field', 'email'];
    const preview = await json(pat, 'oidc-config', 'preview', ...emailFormat);
    expect(preview).toMatchObject({
      oidcConfig: { v3: { extraSubFields: ['email'] } },
      confirmSubChangeRequired: true,
    });
    expect(preview.subChangeCount).toBeGreaterThan(0);
    const previewText = await cli(pat, 'oidc-config', 'preview', ...emailFormat);
    expect(previewText.stdout).toMatch(/^proposed: v3, extra sub fields: email$/m);
    expect(previewText.stdout).toMatch(/needs --confirm-sub-change/);

    const refused = await cli(pat, 'oidc-config', 'set', ...emailFormat);
    expectFailure(
      refused,
      1,
      /failed_precondition: this change alters the sub .*\(with envid: --confirm-sub-change\)/,
    );
    expectFailure(
      await cli(
        pat,
        'oidc-config',
        'set',
        '--version',
        'v3',
        '--extra-sub-field',
        'repo',
        '--confirm-sub-change',
      ),
      2,
      /"repo" is not an allowed field.*\(set by --extra-sub-field\)/,
    );
    const set = await cli(pat, 'oidc-config', 'set', ...emailFormat, '--confirm-sub-change');
    expect(set.code).toBe(0);
    expect(set.stdout).toBe('token format: v3, extra sub fields: email\n');
    expect((await json(pat, 'oidc-config', 'get')).oidcConfig).toEqual({ v3: { extraSubFields: ['email'] } });

    const audit = await json(pat, 'audit', 'list', '--kind', 'oidc_config.updated');
    expect(audit.events).toEqual([
      expect.objectContaining({
        kind: 'oidc_config.updated',
        organizationId: ids['org'],
        actor: { principal: 'PRINCIPAL_USER', id: ids['ada'] },
        details: expect.objectContaining({
          after: { v3: { extraSubFields: ['email'] } },
          subChangeConfirmed: true,
        }),
      }),
    ]);
    const issued = await json(pat, 'audit', 'list', '--kind', 'token.issued', '--since', '1h', '--all');
    expect(issued.events.length).toBeGreaterThanOrEqual(2);
    expect(issued.pagination).toEqual({});
    const table = await cli(pat, 'audit', 'list', '--kind', 'token.issued');
    expect(table.stdout.split('\n')[0]).toMatch(/^TIME\s+KIND\s+PRINCIPAL\s+ACTOR\s+DETAILS$/);
    expect(table.stdout).toMatch(/token\.issued\s+environment:\S+\s+.*aud=sts\.amazonaws\.com/);
    expectFailure(await cli(pat, 'audit', 'list', '--kind', 'nope'), 2, /invalid --kind "nope"/);
  });

  it('invites and domains: new users join with account-level tokens, get tokens of the organization, leave', async () => {
    const admin = server.adminToken;
    const ada = ids['pat']!; // an admin of the organization
    const org = ids['org']!;

    // An organization admin adds nobody by ID: a user outside is not found, as an unknown one.
    const { user: carol } = await json(
      admin,
      'user',
      'create',
      '--email',
      'carol@partner.example',
      '--name',
      'Carol',
    );
    expectFailure(
      await cli(ada, 'org', 'members', 'add', carol.id),
      4,
      /not_found: user .*CreateOrganizationInvite/,
    );

    const { invite } = await json(ada, 'org', 'invite', 'create');
    expect(invite).toEqual({ inviteId: expect.stringMatching(uuid), expiresAt: expect.any(String) });
    expect(await json(ada, 'org', 'invite', 'get')).toEqual({ invite });
    expect((await cli(ada, 'org', 'invite', 'get')).stdout).toMatch(
      new RegExp(`^invite id: ${invite.inviteId}$`, 'm'),
    );

    // Carol's first token is account-level: it joins, and makes her a token of the organization.
    const carolAccount = expectSecret(
      await cli(admin, 'pat', 'create', '--user', carol.id, '--account', '--description', 'first login'),
      'envid_pat_',
    );
    expect((await json(carolAccount, 'idp', 'whoami')).organizationId).toBeNull();
    expect((await cli(carolAccount, 'user', 'me')).stdout).toMatch(
      /^organization: none \(account-level token\)$/m,
    );
    expect(await json(carolAccount, 'org', 'invite', 'summary', invite.inviteId)).toEqual({
      organizationId: org,
      organizationName: 'Acme',
    });
    expectFailure(
      await cli(carolAccount, 'org', 'members', 'list'),
      2,
      /missing --org: .*account-level token/,
    );
    expectFailure(await cli(carolAccount, 'idp', 'token', '--audience', 'a'), 3, /account-level token/);
    const joined = await json(carolAccount, 'org', 'join', invite.inviteId);
    expect(joined.member).toMatchObject({ userId: carol.id, role: 'ORGANIZATION_ROLE_MEMBER' });
    expect((await json(carolAccount, 'org', 'list')).organizations.map((o: any) => o.id)).toEqual([org]);
    const carolPat = expectSecret(
      await cli(carolAccount, 'pat', 'create', '--org', org, '--description', 'laptop'),
      'envid_pat_',
    );
    expect((await json(carolPat, 'user', 'me')).user).toMatchObject({ id: carol.id, organizationId: org });
    expect((await cli(carolPat, 'user', 'me')).stdout).toMatch(new RegExp(`^organization: ${org}$`, 'm'));
    expect((await cli(ada, 'org', 'members', 'set-role', carol.id, '--role', 'admin')).code).toBe(0);
    expect((await cli(carolPat, 'org', 'invite', 'get')).code).toBe(0);

    // She leaves with the organization's token: it is revoked with the membership.
    expect(await cli(carolPat, 'org', 'leave')).toEqual({
      code: 0,
      stdout: 'left the organization\n',
      stderr: '',
    });
    expectFailure(await cli(carolPat, 'user', 'me'), 3, /refused the credential/);
    expect((await json(carolAccount, 'org', 'list')).organizations).toEqual([]);

    // By e-mail domain: a verified address at a listed domain joins without an invite.
    const updated = await json(ada, 'org', 'update', '--invite-domain', 'Partner.Example');
    expect(updated.organization.inviteDomains).toEqual({ domains: ['partner.example'] });
    expect((await cli(ada, 'org', 'get')).stdout).toMatch(/^invite domains: partner\.example$/m);
    expect((await cli(carolAccount, 'org', 'join', '--org', org)).code).toBe(0);
    expectFailure(
      await cli(carolAccount, 'org', 'leave'),
      2,
      /organizationId: is required .*\(set by --org\)/,
    );
    expect((await cli(carolAccount, 'org', 'leave', '--org', org)).stdout).toBe(`left organization ${org}\n`);
    expect((await json(ada, 'org', 'update', '--no-invite-domains')).organization).not.toHaveProperty(
      'inviteDomains',
    );
    expectFailure(await cli(carolAccount, 'org', 'join', '--org', org), 4, /not_found: organization/);

    // A new invite replaces the old one.
    const { invite: next } = await json(ada, 'org', 'invite', 'create');
    expect(next.inviteId).not.toBe(invite.inviteId);
    expectFailure(await cli(carolAccount, 'org', 'join', invite.inviteId), 4, /invite not found/);
    expect((await json(ada, 'org', 'members', 'list')).members.map((m: any) => m.userId)).not.toContain(
      carol.id,
    );
    expect((await cli(admin, 'user', 'delete', carol.id)).code).toBe(0);
  });

  it('signing keys (installation admin only), then pat, members, users and the organization go', async () => {
    const admin = server.adminToken;
    const keys = await json(admin, 'keys', 'list');
    expect(keys.keys.map((k: any) => k.state)).toEqual(['current', 'next']);
    // Too early to rotate: nothing is done, which is exit code 6 (the answer still on stdout).
    const rotate = await cli(admin, 'keys', 'rotate', '--json');
    expect(rotate.code).toBe(6);
    expect(JSON.parse(rotate.stdout)).toMatchObject({ rotated: false, message: expect.any(String) });
    const next = keys.keys[1].keyId;
    expectFailure(await cli(admin, 'keys', 'revoke', next), 2, /add --yes/);
    const revoked = await json(admin, 'keys', 'revoke', next, '--yes');
    expect(revoked.decisions).toContainEqual({ action: 'remove', keyId: next, reason: 'revoked' });
    expect(revoked.keys.map((k: any) => k.keyId)).not.toContain(next);
    expectFailure(await cli(ids['pat']!, 'keys', 'list'), 3, /does not allow/);

    const pat = ids['pat']!;
    expect((await json(pat, 'pat', 'get', ids['bobPatId']!)).pat).toMatchObject({
      userId: ids['bob'],
      description: 'bob',
    });
    const pats = await json(pat, 'pat', 'list', '--user', ids['bob']!);
    expect(pats.personalAccessTokens.map((t: any) => t.id)).toEqual([ids['bobPatId']]);
    expect((await cli(pat, 'pat', 'revoke', ids['bobPatId']!)).code).toBe(0);
    expectFailure(await cli(ids['bobPat']!, 'user', 'me'), 3, /refused the credential/);
    expect((await cli(pat, 'org', 'members', 'remove', ids['bob']!)).code).toBe(0);
    expect((await json(pat, 'org', 'members', 'list')).members.map((m: any) => m.userId)).toEqual([
      ids['ada'],
    ]);
    expect((await cli(admin, 'user', 'delete', ids['bob']!)).code).toBe(0);
    expectFailure(await cli(admin, 'user', 'get', ids['bob']!), 4, /not_found/);
    expectFailure(await cli(admin, 'org', 'delete', ids['org']!), 2, /add --yes/);
    expect((await cli(admin, 'org', 'delete', ids['org']!, '--yes')).code).toBe(0);
    expectFailure(await cli(pat, 'user', 'me'), 3, /refused the credential/);
    expect(await json(admin, 'org', 'list')).toEqual({ organizations: [], pagination: {} });
  });

  it('every group shows its help with examples; a group without a command is a usage error', async () => {
    for (const group of adminGroupNames) {
      const help = await runCli([group, '--help'], {});
      expect({ group, code: help.code }).toEqual({ group, code: 0 });
      expect(help.stdout).toContain('Examples:');
    }
    const bare = await runCli(['env'], {});
    expect(bare.code).toBe(2);
  });
});
