import { describe, expect, it, vi } from 'vitest';
import { adminCli, serverForFile, uuid } from '../support/admin-cli.ts';
import type { EnvidProcess } from '../support/envid-process.ts';

// One real server for the file; every admin task goes through the built CLI, each run a process of its own.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

// One organization's story, told in order: the first test creates the organization, its users and
// tokens (kept in `ids`), the others build on them, and the last deletes them.
describe('envid admin commands: the installation admin, invites and domains, signing keys', () => {
  let server: EnvidProcess;
  /** Set up by the first test, used by the later ones. */
  const ids: Record<string, string> = {};

  const fileServer = serverForFile('envid-cli-admin-org-e2e-', (started) => {
    server = started;
  });
  const { cli, json, expectFailure, expectSecret } = adminCli(fileServer.home, () => server.url);

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

    // The admin acts in no organization: commands that need one say which flag names it. Independent
    // runs, so together.
    const [noOrg, noMembersOrg, noRunnerOrg, unknownOrg, noEmail, notAdmin] = await Promise.all([
      cli(admin, 'org', 'get'),
      cli(admin, 'org', 'members', 'list'),
      cli(admin, 'runner', 'create', '--name', 'x'),
      cli(admin, 'org', 'get', '00000000-0000-4000-8000-000000000000'),
      cli(admin, 'user', 'create', '--name', 'x'),
      cli(ids['pat'], 'user', 'list'),
    ]);
    expectFailure(noOrg, 2, /missing <organization-id>: .*installation admin/);
    expectFailure(noMembersOrg, 2, /missing --org/);
    expectFailure(noRunnerOrg, 2, /organizationId.*\(set by --org\)/);
    expectFailure(unknownOrg, 4, /not_found/);
    expectFailure(noEmail, 2, /required option '--email <email>'/);
    expectFailure(notAdmin, 3, /does not allow this/);
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
});
