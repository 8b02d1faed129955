import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import type { AdminRequest } from '../../src/cli/admin/admin-request.ts';
import { registerAdminGroups } from '../../src/cli/commands/admin-groups.ts';
import type { ConnectionFlags } from '../../src/cli/config/resolve-connection.ts';
import { CliError } from '../../src/shared/exit-codes.ts';
import { adminGroupNames } from '../support/admin-group-names.ts';

/** Flag parsing of the admin commands, through commander, with a dispatch that records instead of calling a server. */

const now = new Date('2026-11-01T12:00:00.000Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const [A, B, C, D] = [id(1), id(2), id(3), id(4)];

function program(seen: { request: AdminRequest; connection: ConnectionFlags }[]): Command {
  const root = new Command('envid')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerAdminGroups(root, {
    dispatch: async (request, connection) => {
      seen.push({ request, connection });
    },
    now: () => now,
  });
  return root;
}

async function parse(...args: string[]): Promise<AdminRequest> {
  const seen: { request: AdminRequest; connection: ConnectionFlags }[] = [];
  await program(seen).parseAsync(args, { from: 'user' });
  expect(seen).toHaveLength(1);
  return seen[0]!.request;
}

/** The message of the usage error the arguments cause (a CliError with exit code 2, or commander's own). */
async function usage(...args: string[]): Promise<string> {
  try {
    await program([]).parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CliError) {
      expect(error.exitCode).toBe(2);
      return error.message;
    }
    expect(error).toBeInstanceOf(CommanderError);
    return (error as Error).message;
  }
  throw new Error(`expected a usage error for ${args.join(' ')}`);
}

describe('admin command flags', () => {
  it('every command and group has a summary, a description and examples', () => {
    const root = program([]);
    const visit = (command: Command, path: string[]): string[] =>
      command.commands.flatMap((child) => {
        const name = [...path, child.name()];
        let help = '';
        child.configureOutput({ writeOut: (text) => (help += text) });
        child.outputHelp();
        const problems = [
          child.summary() ? [] : [`${name.join(' ')}: no summary`],
          child.description() ? [] : [`${name.join(' ')}: no description`],
          help.includes('\nExamples:\n  envid ') ? [] : [`${name.join(' ')}: no examples`],
        ].flat();
        return [...problems, ...visit(child, name)];
      });
    expect(visit(root, [])).toEqual([]);
    expect(root.commands.map((c) => c.name())).toEqual(adminGroupNames);
  });

  it('passes --host and --token on, and --json', async () => {
    const seen: { request: AdminRequest; connection: ConnectionFlags }[] = [];
    await program(seen).parseAsync(['org', 'list', '--json', '--host', 'h', '--token', 't'], {
      from: 'user',
    });
    expect(seen[0]!.connection).toEqual({ host: 'h', token: 't' });
    expect(seen[0]!.request.json).toBe(true);
    expect((await parse('org', 'list')).json).toBe(false);
  });

  it('org: create, get (default: the credential’s), list with paging, delete needs --yes', async () => {
    expect(await parse('org', 'create', '--name', 'Acme')).toEqual({
      method: 'OrganizationService/CreateOrganization',
      body: { name: 'Acme' },
      output: { kind: 'object', key: 'organization', view: 'organization' },
      json: false,
    });
    expect(await usage('org', 'create')).toMatch(/required option '--name <name>' not specified/);
    expect(await usage('org', 'create', '--name', ' ')).toMatch(/--name must not be empty/);
    expect(await parse('organization', 'get')).toMatchObject({
      body: {},
      defaultOrganization: 'required',
      organizationFlag: '<organization-id>',
    });
    expect((await parse('org', 'get', A.toUpperCase())).body).toEqual({ organizationId: A });
    expect(await usage('org', 'get', 'acme')).toMatch(/invalid <organization-id> "acme": expected an ID/);
    expect((await parse('org', 'list', '--page-size', '5', '--page-token', 'tok')).body).toEqual({
      pagination: { pageSize: 5, token: 'tok' },
    });
    expect(await parse('org', 'list', '--all')).toMatchObject({
      body: { pagination: { pageSize: 100 } },
      output: { kind: 'list', all: true },
    });
    expect(await usage('org', 'list', '--page-size', '101')).toMatch(/invalid --page-size "101": .*1 to 100/);
    expect(await usage('org', 'list', '--page-size', '2.5')).toMatch(/--page-size/);
    expect(await usage('org', 'list', '--all', '--page-token', 'x')).toMatch(/--all .* --page-token/);
    expect(await usage('org', 'delete', A)).toMatch(/add --yes to confirm/);
    expect((await parse('org', 'delete', A, '--yes')).body).toEqual({ organizationId: A });
    expect(await usage('org', 'delete')).toMatch(/missing required argument 'organization-id'/);
  });

  it('org members: list, add with a role, set-role, remove', async () => {
    expect(await parse('org', 'members', 'list', '--org', B)).toMatchObject({
      method: 'OrganizationService/ListMembers',
      body: { organizationId: B },
      defaultOrganization: 'required',
    });
    expect((await parse('org', 'members', 'add', A)).body).toEqual({ userId: A });
    expect((await parse('org', 'members', 'add', A, '--role', 'Admin', '--org', B)).body).toEqual({
      organizationId: B,
      userId: A,
      role: 'ORGANIZATION_ROLE_ADMIN',
    });
    expect(await usage('org', 'members', 'add', A, '--role', 'owner')).toMatch(
      /invalid --role "owner": must be admin or member/,
    );
    expect(await usage('org', 'members', 'add', A, '--org', 'x')).toMatch(/invalid --org "x"/);
    expect(await usage('org', 'members', 'set-role', A)).toMatch(/required option '--role <role>'/);
    expect((await parse('org', 'members', 'set-role', A, '--role', 'member')).body).toEqual({
      userId: A,
      role: 'ORGANIZATION_ROLE_MEMBER',
    });
    expect(await parse('org', 'members', 'remove', A)).toMatchObject({
      method: 'OrganizationService/RemoveMember',
      body: { userId: A },
      output: { kind: 'done' },
    });
  });

  it('org update: --name, --invite-domain (repeatable) or --no-invite-domains', async () => {
    expect(await parse('org', 'update', '--name', 'Acme Corp')).toEqual({
      method: 'OrganizationService/UpdateOrganization',
      body: { name: 'Acme Corp' },
      defaultOrganization: 'required',
      output: { kind: 'object', key: 'organization', view: 'organization' },
      json: false,
    });
    expect(
      (
        await parse(
          'org',
          'update',
          '--invite-domain',
          'a.example',
          '--invite-domain',
          'b.example',
          '--org',
          B,
        )
      ).body,
    ).toEqual({ organizationId: B, inviteDomains: { domains: ['a.example', 'b.example'] } });
    expect((await parse('org', 'update', '--no-invite-domains')).body).toEqual({
      inviteDomains: { domains: [] },
    });
    expect(await usage('org', 'update')).toMatch(/nothing to change: give --name, --invite-domain/);
    expect(await usage('org', 'update', '--no-invite-domains', '--invite-domain', 'a.example')).toMatch(
      /not both/,
    );
    expect(await usage('org', 'update', '--name', ' ')).toMatch(/--name must not be empty/);
  });

  it('org invite create, get, summary; org join by invite or --org; org leave', async () => {
    for (const [command, method] of [
      ['create', 'OrganizationService/CreateOrganizationInvite'],
      ['get', 'OrganizationService/GetOrganizationInvite'],
    ] as const) {
      expect(await parse('org', 'invite', command)).toEqual({
        method,
        body: {},
        defaultOrganization: 'required',
        output: { kind: 'object', key: 'invite', view: 'invite' },
        json: false,
      });
      expect((await parse('org', 'invite', command, '--org', B, '--json')).body).toEqual({
        organizationId: B,
      });
    }
    expect(await parse('org', 'invite', 'summary', C.toUpperCase())).toEqual({
      method: 'OrganizationService/GetOrganizationInviteSummary',
      body: { inviteId: C },
      output: { kind: 'object', view: 'inviteSummary' },
      json: false,
    });
    expect(await usage('org', 'invite', 'summary', 'nope')).toMatch(/invalid <invite-id> "nope"/);
    expect(await parse('org', 'join', C)).toEqual({
      method: 'OrganizationService/JoinOrganization',
      body: { inviteId: C },
      output: { kind: 'object', key: 'member', view: 'member' },
      json: false,
    });
    expect((await parse('org', 'join', '--org', B)).body).toEqual({ organizationId: B });
    expect(await usage('org', 'join')).toMatch(/give an <invite-id> or --org/);
    expect(await usage('org', 'join', C, '--org', B)).toMatch(/give an <invite-id> or --org/);
    expect(await parse('org', 'leave')).toEqual({
      method: 'OrganizationService/LeaveOrganization',
      body: {},
      selfUser: true,
      output: { kind: 'done', message: 'left the organization' },
      json: false,
    });
    expect(await parse('org', 'leave', '--org', B)).toMatchObject({
      body: { organizationId: B },
      output: { kind: 'done', message: `left organization ${B}` },
    });
  });

  it('user: create needs --email and --name; get, me, list, delete', async () => {
    expect(await usage('user', 'create', '--name', 'Ada')).toMatch(/required option '--email <email>'/);
    expect(await usage('user', 'create', '--email', 'a@b.c')).toMatch(/required option '--name <name>'/);
    expect((await parse('user', 'create', '--email', 'a@b.c', '--name', 'Ada')).body).toEqual({
      email: 'a@b.c',
      name: 'Ada',
    });
    expect((await parse('user', 'get', A)).body).toEqual({ userId: A });
    expect((await parse('user', 'me')).method).toBe('UserService/GetAuthenticatedUser');
    expect((await parse('user', 'list')).method).toBe('UserService/ListUsers');
    expect((await parse('user', 'delete', A)).body).toEqual({ userId: A });
  });

  it('pat: create with expiry (secret output), list by user, revoke', async () => {
    expect(await parse('pat', 'create', '--description', 'laptop', '--valid-for', '30d')).toEqual({
      method: 'UserService/CreatePersonalAccessToken',
      body: { description: 'laptop', validFor: '2592000s' },
      defaultOrganization: 'required',
      output: {
        kind: 'secret',
        field: 'token',
        what: 'personal access token {id}',
        idField: 'personalAccessToken.id',
      },
      json: false,
    });
    expect(
      (
        await parse(
          'pat',
          'create',
          '--description',
          'd',
          '--user',
          A,
          '--org',
          B,
          '--expires-at',
          '2027-01-01T00:00:00Z',
        )
      ).body,
    ).toEqual({ organizationId: B, userId: A, description: 'd', expiresAt: '2027-01-01T00:00:00Z' });
    // An account-level token: no organization, none filled in from the credential.
    const account = await parse('pat', 'create', '--description', 'd', '--user', A, '--account');
    expect(account.body).toEqual({ userId: A, description: 'd' });
    expect(account.defaultOrganization).toBeUndefined();
    expect(await usage('pat', 'create', '--description', 'd', '--account', '--org', B)).toMatch(
      /--account or --org, not both/,
    );
    expect(
      (await parse('pat', 'create', '--description', 'd', '--valid-for', '1w2d3h4m5s')).body['validFor'],
    ).toBe(`${7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5}s`);
    expect(await usage('pat', 'create')).toMatch(/--description/);
    expect(await usage('pat', 'create', '--description', 'd', '--valid-for', '30 days')).toMatch(
      /invalid --valid-for "30 days"/,
    );
    expect(await usage('pat', 'create', '--description', 'd', '--valid-for', '0d')).toMatch(
      /longer than zero/,
    );
    expect(await usage('pat', 'create', '--description', 'd', '--expires-at', 'tomorrow')).toMatch(
      /invalid --expires-at "tomorrow": expected an RFC 3339 time/,
    );
    expect(
      await usage(
        'pat',
        'create',
        '--description',
        'd',
        '--valid-for',
        '1d',
        '--expires-at',
        '2027-01-01T00:00:00Z',
      ),
    ).toMatch(/--valid-for or --expires-at, not both/);
    expect((await parse('pat', 'list', '--user', A)).body).toEqual({ filter: { userIds: [A] } });
    expect((await parse('pat', 'list')).body).toEqual({});
    expect((await parse('pat', 'delete', A)).method).toBe('UserService/DeletePersonalAccessToken');
  });

  it('service-account and its tokens', async () => {
    expect((await parse('sa', 'create', '--name', 'deployer', '--org', B)).body).toEqual({
      name: 'deployer',
      organizationId: B,
    });
    expect((await parse('service-account', 'list')).body).toEqual({});
    expect((await parse('service-account', 'delete', A)).body).toEqual({ serviceAccountId: A });
    expect(
      await parse('service-account', 'tokens', 'create', A, '--description', 'CI', '--valid-for', '90d'),
    ).toMatchObject({
      body: { serviceAccountId: A, description: 'CI', validFor: '7776000s' },
      output: { kind: 'secret', field: 'token', idField: 'serviceAccountToken.id' },
    });
    expect((await parse('service-account', 'tokens', 'list', A, '--all')).body).toEqual({
      serviceAccountId: A,
      pagination: { pageSize: 100 },
    });
    expect((await parse('service-account', 'tokens', 'revoke', C)).body).toEqual({
      serviceAccountTokenId: C,
    });
    expect(await usage('service-account', 'tokens', 'create', A)).toMatch(/--description/);
  });

  it('runner and its tokens', async () => {
    expect((await parse('runner', 'create', '--name', 'eu-1')).body).toEqual({ name: 'eu-1' });
    expect((await parse('runner', 'delete', A, '--force')).body).toEqual({ runnerId: A, force: true });
    expect((await parse('runner', 'delete', A)).body).toEqual({ runnerId: A });
    expect(await parse('runner', 'tokens', 'create', A)).toMatchObject({
      body: { runnerId: A },
      output: { kind: 'secret', field: 'accessToken', idField: 'tokenId' },
    });
    expect((await parse('runner', 'tokens', 'create', A, '--description', 'host')).body).toEqual({
      runnerId: A,
      description: 'host',
    });
    expect((await parse('runner', 'tokens', 'revoke', A, C)).body).toEqual({ runnerId: A, tokenId: C });
    expect(await usage('runner', 'tokens', 'revoke', A)).toMatch(/missing required argument 'token-id'/);
  });

  it('project: initializers from repeatable flags', async () => {
    expect(
      (
        await parse(
          'project',
          'create',
          '--name',
          'app',
          '--git-remote',
          'git@github.com:me/app.git',
          '--upstream-remote',
          'https://github.com/acme/app.git',
          '--context-url',
          'https://github.com/acme/app/tree/main',
          '--git-remote',
          'https://github.com/acme/lib.git',
        )
      ).body,
    ).toEqual({
      name: 'app',
      environmentClass: {},
      initializer: {
        specs: [
          {
            git: {
              remoteUri: 'git@github.com:me/app.git',
              upstreamRemoteUri: 'https://github.com/acme/app.git',
            },
            contextUrl: { url: 'https://github.com/acme/app/tree/main' },
          },
          { git: { remoteUri: 'https://github.com/acme/lib.git' } },
        ],
      },
    });
    expect((await parse('project', 'create', '--name', 'empty')).body).toEqual({
      name: 'empty',
      environmentClass: {},
    });
    expect(await usage('project', 'create', '--name', 'x', '--upstream-remote', 'u')).toMatch(
      /--upstream-remote belongs to a --git-remote/,
    );
    expect(await usage('project', 'create', '--name', 'x', '--context-url', 'ftp://x')).toMatch(
      /invalid --context-url "ftp:\/\/x": must be an http or https URL/,
    );
    expect(await usage('project', 'create', '--name', 'x', '--git-remote', 'a b')).toMatch(
      /invalid --git-remote "a b"/,
    );
    expect((await parse('project', 'delete', A, '--force')).body).toEqual({ projectId: A, force: true });
    expect((await parse('project', 'get', A)).body).toEqual({ projectId: A });
  });

  it('project and env labels: --label on create and update, --remove-label on update', async () => {
    expect(
      (await parse('project', 'create', '--name', 'app', '--label', 'team=web', '--label', 'note=a=b:%'))
        .body,
    ).toEqual({ name: 'app', environmentClass: {}, labels: { team: 'web', note: 'a=b:%' } });
    expect(await parse('project', 'update', A, '--label', 'team=api', '--remove-label', 'old')).toEqual({
      method: 'ProjectService/UpdateProject',
      body: { projectId: A, labels: { team: 'api' }, removeLabels: ['old'] },
      output: { kind: 'object', key: 'project', view: 'project' },
      json: false,
    });
    expect((await parse('project', 'update', A, '--label', 'empty=')).body).toEqual({
      projectId: A,
      labels: { empty: '' },
    });
    expect(await parse('env', 'create', '--runner', A, '--project', B, '--label', 'tier=ci')).toMatchObject({
      method: 'EnvironmentService/CreateEnvironmentFromProject',
      body: { projectId: B, spec: { machine: { class: A } }, labels: { tier: 'ci' } },
    });
    expect((await parse('env', 'create', '--runner', A, '--label', 'tier=ci')).body).toEqual({
      spec: { machine: { class: A } },
      labels: { tier: 'ci' },
    });
    expect(await parse('env', 'update', A, '--remove-label', 'tier')).toMatchObject({
      method: 'EnvironmentService/UpdateEnvironment',
      body: { environmentId: A, removeLabels: ['tier'] },
    });
    expect(await usage('project', 'update', A)).toMatch(/nothing to change: give --label or --remove-label/);
    expect(await usage('project', 'create', '--name', 'x', '--label', 'team')).toMatch(
      /invalid --label "team": expected key=value/,
    );
    expect(await usage('env', 'update', A, '--label', 'Team=x')).toMatch(
      /invalid --label "Team=x": the key must be 1-63 characters of a-z/,
    );
    expect(await usage('env', 'update', A, '--label', 'a=1', '--label', 'a=2')).toMatch(
      /--label a is given twice/,
    );
    expect(await usage('env', 'update', A, '--label', 'a=1', '--remove-label', 'a')).toMatch(
      /--label and --remove-label both name a/,
    );
    expect(await usage('project', 'update', A, '--label', 'a=x\ny')).toMatch(/control characters/);
  });

  it('env: create (from a project or not), list filters, stop/start/delete', async () => {
    expect(await parse('env', 'create', '--runner', A, '--project', B)).toMatchObject({
      method: 'EnvironmentService/CreateEnvironmentFromProject',
      body: { projectId: B, spec: { machine: { class: A } } },
    });
    expect(
      (
        await parse(
          'env',
          'create',
          '--runner',
          A,
          '--git-remote',
          'https://github.com/acme/app.git',
          '--stopped',
        )
      ).body,
    ).toEqual({
      spec: {
        machine: { class: A },
        content: { initializer: { specs: [{ git: { remoteUri: 'https://github.com/acme/app.git' } }] } },
        desiredPhase: 'ENVIRONMENT_PHASE_STOPPED',
      },
    });
    expect(await usage('env', 'create')).toMatch(/required option '--runner <runner-id>'/);
    expect(await usage('env', 'create', '--runner', 'eu-1')).toMatch(/invalid --runner "eu-1"/);
    expect(
      (
        await parse(
          'env',
          'list',
          '--phase',
          'Running',
          '--project',
          A,
          '--runner',
          B,
          '--creator',
          C,
          '--org',
          D,
        )
      ).body,
    ).toEqual({
      organizationId: D,
      filter: {
        projectIds: [A],
        runnerIds: [B],
        creatorIds: [C],
        statusPhases: ['ENVIRONMENT_PHASE_RUNNING'],
      },
    });
    expect(await usage('env', 'list', '--phase', 'paused')).toMatch(
      /invalid --phase "paused": must be one of running, stopped, deleted/,
    );
    for (const [verb, method] of [
      ['stop', 'StopEnvironment'],
      ['start', 'StartEnvironment'],
      ['delete', 'DeleteEnvironment'],
    ]) {
      expect(await parse('env', verb!, A)).toMatchObject({
        method: `EnvironmentService/${method}`,
        body: { environmentId: A },
        output: { kind: 'done' },
      });
    }
  });

  it('env token: the secret, or export lines (with another host)', async () => {
    expect((await parse('env', 'token', A)).output).toMatchObject({ kind: 'secret', field: 'accessToken' });
    expect((await parse('env', 'token', A, '--export')).output).toMatchObject({
      kind: 'export',
      field: 'accessToken',
    });
    expect(
      (await parse('env', 'token', A, '--export', '--export-host', 'envid.internal:8443/')).output,
    ).toMatchObject({
      kind: 'export',
      host: 'https://envid.internal:8443',
    });
    expect(await usage('env', 'token', A, '--export-host', 'h')).toMatch(/--export-host needs --export/);
    expect(await usage('env', 'token', A, '--export', '--json')).toMatch(/--export and --json/);
  });

  it('oidc-config: get, set and preview build the API configuration', async () => {
    expect(await parse('oidc-config', 'get')).toMatchObject({ body: {}, defaultOrganization: 'required' });
    expect(
      (
        await parse(
          'oidc-config',
          'set',
          '--version',
          'v3',
          '--extra-sub-field',
          'project_id',
          '--extra-sub-field',
          'environment_id',
          '--confirm-sub-change',
          '--org',
          A,
        )
      ).body,
    ).toEqual({
      organizationId: A,
      oidcConfig: { v3: { extraSubFields: ['project_id', 'environment_id'] } },
      confirmSubChange: true,
    });
    expect((await parse('oidc-config', 'set', '--version', 'V2')).body).toEqual({ oidcConfig: { v2: {} } });
    expect((await parse('oidc-config', 'preview', '--version', 'v3')).body).toEqual({
      oidcConfig: { v3: { extraSubFields: [] } },
    });
    expect(
      (await parse('oidc-config', 'preview', '--version', 'v3', '--audience', 'a', '--audience', 'b')).body,
    ).toEqual({ oidcConfig: { v3: { extraSubFields: [] } }, audience: ['a', 'b'] });
    expect(await usage('oidc-config', 'set')).toMatch(/required option '--version <version>'/);
    expect(await usage('oidc-config', 'set', '--version', 'v4')).toMatch(
      /invalid --version "v4": must be v3 or v2/,
    );
    expect(await usage('oidc-config', 'preview', '--version', 'v2', '--extra-sub-field', 'x')).toMatch(
      /--extra-sub-field is for --version v3/,
    );
    expect(await usage('oidc-config', 'preview', '--version', 'v3', '--confirm-sub-change')).toMatch(
      /unknown option '--confirm-sub-change'/,
    );
    expect(
      (
        await parse(
          'oidc-config',
          'set',
          '--version',
          'v3',
          '--label-claims',
          '--extra-sub-field',
          'project_labels.team',
        )
      ).body,
    ).toEqual({ oidcConfig: { v3: { extraSubFields: ['project_labels.team'], labelClaims: true } } });
    expect(await usage('oidc-config', 'preview', '--version', 'v2', '--label-claims')).toMatch(
      /--label-claims is for --version v3/,
    );
  });

  it('keys: list, rotate, revoke needs --yes', async () => {
    expect((await parse('keys', 'list')).method).toBe('SigningKeyService/ListSigningKeys');
    expect((await parse('keys', 'rotate')).output).toEqual({ kind: 'render', render: 'keyChange' });
    expect((await parse('keys', 'rotate')).doneWhen).toEqual({ field: 'rotated', notDone: 'not rotated' });
    expect(await usage('keys', 'revoke', 'kid1')).toMatch(/add --yes to confirm/);
    expect((await parse('keys', 'revoke', 'kid1', '--yes')).body).toEqual({ keyId: 'kid1' });
  });

  it('audit list: kinds, principal, time range (--since from the clock), paging', async () => {
    expect(
      await parse(
        'audit',
        'list',
        '--kind',
        'token.issued',
        '--kind',
        'key.rotated',
        '--kind',
        'token.issued',
        '--principal',
        A,
        '--since',
        '90m',
        '--to',
        '2026-11-01T13:00:00+01:00',
        '--page-size',
        '10',
      ),
    ).toEqual({
      method: 'AuditService/ListAuditEvents',
      body: {
        filter: {
          kinds: ['token.issued', 'key.rotated'],
          principalId: A,
          from: '2026-11-01T10:30:00.000Z',
          to: '2026-11-01T13:00:00+01:00',
        },
        pagination: { pageSize: 10 },
      },
      defaultOrganization: 'optional',
      output: { kind: 'list', key: 'events', view: 'auditEvent', all: false },
      json: false,
    });
    expect((await parse('audit', 'list', '--from', '2026-11-01T00:00:00Z', '--org', B)).body).toEqual({
      organizationId: B,
      filter: { from: '2026-11-01T00:00:00Z' },
    });
    expect(await usage('audit', 'list', '--kind', 'token')).toMatch(
      /invalid --kind "token": must be one of token.issued/,
    );
    expect(await usage('audit', 'list', '--since', '1h', '--from', '2026-11-01T00:00:00Z')).toMatch(
      /--since or --from, not both/,
    );
    expect(await usage('audit', 'list', '--to', 'yesterday')).toMatch(/invalid --to "yesterday"/);
    expect(await usage('audit', 'list', '--principal', 'me')).toMatch(/invalid --principal "me"/);
  });
});

describe('registerAdminCommands', () => {
  it('skips loading the admin groups for the other commands (envid idp token starts small)', async () => {
    const { registerAdminCommands } = await import('../../src/cli/commands/admin.ts');
    const skipped = new Command('envid');
    await registerAdminCommands(skipped, ['idp', 'token', '--audience', 'a']);
    expect(skipped.commands).toEqual([]);
    for (const argv of [['org', 'list'], ['--help'], [], ['help', 'env']]) {
      const loaded = new Command('envid');
      await registerAdminCommands(loaded, argv);
      expect(loaded.commands.map((c) => c.name())).toContain('env');
    }
  });
});

describe('org sso', () => {
  it('create, get, list, update, delete; the client secret from a file, never a flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envid-sso-flags-'));
    try {
      const secretFile = join(dir, 'secret');
      writeFileSync(secretFile, 's3cret\n', { mode: 0o600 });
      const created = await parse(
        'org',
        'sso',
        'create',
        '--issuer',
        'https://sso.example.com',
        '--client-id',
        'envid',
        '--client-secret-file',
        secretFile,
        '--email-domain',
        'acme.example',
        '--email-domain',
        'eu.acme.example',
        '--scope',
        'groups',
        '--forward-claim',
        'groups',
        '--claims-expression',
        '"x" in claims.groups',
        '--org',
        B,
      );
      expect(created).toMatchObject({
        method: 'OrganizationService/CreateSSOConfiguration',
        body: {
          organizationId: B,
          issuerUrl: 'https://sso.example.com',
          clientId: 'envid',
          clientSecret: 's3cret',
          emailDomain: 'acme.example',
          emailDomains: ['acme.example', 'eu.acme.example'],
          additionalScopes: ['groups'],
          forwardedClaims: ['groups'],
          claimsExpression: '"x" in claims.groups',
        },
      });
      expect(
        await usage(
          'org',
          'sso',
          'create',
          '--issuer',
          'https://sso.example.com',
          '--client-id',
          'c',
          '--email-domain',
          'a.b',
        ),
      ).toMatch(/--client-secret-file is required/);
      expect(
        await usage(
          'org',
          'sso',
          'create',
          '--issuer',
          'https://x',
          '--client-id',
          'c',
          '--email-domain',
          'a.b',
          '--client-secret-file',
          join(dir, 'none'),
        ),
      ).toMatch(/--client-secret-file: cannot read .*ENOENT/);
      expect((await parse('org', 'sso', 'update', A, '--inactive')).body).toEqual({
        ssoConfigurationId: A,
        state: 'SSO_CONFIGURATION_STATE_INACTIVE',
      });
      expect(await usage('org', 'sso', 'update', A)).toMatch(/name at least one field/);
      expect((await parse('org', 'sso', 'get', A)).body).toEqual({ ssoConfigurationId: A });
      expect((await parse('org', 'sso', 'delete', A)).method).toBe(
        'OrganizationService/DeleteSSOConfiguration',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('org profiles', () => {
  it('create, get, list, update, delete shape the bodies the API takes', async () => {
    expect(
      await parse(
        'org',
        'profiles',
        'create',
        '--name',
        'aws',
        '--audience',
        'sts.amazonaws.com',
        '--audience',
        'aws-*',
        '--version',
        'v3',
        '--extra-sub-field',
        'project_id',
        '--lifetime',
        '900',
        '--algorithm',
        'rs256',
        '--claim',
        'project=project_id',
        '--claim-text',
        'https://example.com/env=prod',
        '--confirm-sub-change',
        '--org',
        B,
      ),
    ).toMatchObject({
      method: 'OrganizationService/CreateAudienceProfile',
      body: {
        organizationId: B,
        name: 'aws',
        audiences: ['sts.amazonaws.com', 'aws-*'],
        oidcConfig: { v3: { extraSubFields: ['project_id'] } },
        lifetimeSeconds: 900,
        signingAlgorithm: 'RS256',
        extraClaims: [
          { name: 'project', from: 'project_id' },
          { name: 'https://example.com/env', value: 'prod' },
        ],
        confirmSubChange: true,
      },
    });
    expect(await usage('org', 'profiles', 'create', '--audience', 'a')).toMatch(/--name is required/);
    expect(await usage('org', 'profiles', 'create', '--name', 'a')).toMatch(/--audience is required/);
    expect(
      await usage('org', 'profiles', 'create', '--name', 'a', '--audience', 'a', '--lifetime', '1h'),
    ).toMatch(/--lifetime must be a whole number of seconds/);
    expect(
      await usage('org', 'profiles', 'create', '--name', 'a', '--audience', 'a', '--claim', 'nameonly'),
    ).toMatch(/--claim takes <name>=<value>/);
    expect((await parse('org', 'profiles', 'update', A, '--no-claims')).body).toEqual({
      audienceProfileId: A,
      extraClaims: [],
    });
    expect(await usage('org', 'profiles', 'update', A, '--confirm-sub-change')).toMatch(
      /name at least one setting/,
    );
    expect((await parse('org', 'profiles', 'get', A)).body).toEqual({ audienceProfileId: A });
    expect((await parse('org', 'profiles', 'delete', A, '--confirm-sub-change')).body).toEqual({
      audienceProfileId: A,
      confirmSubChange: true,
    });
  });
});

describe('API coverage', () => {
  it('every method of the API has a command (identity methods: envid idp)', async () => {
    const { apiMethods } = await import('../../src/server/routes/api/index.ts');
    const commandLines = [
      ['org', 'create', '--name', 'n'],
      ['org', 'get'],
      ['org', 'list'],
      ['org', 'delete', A, '--yes'],
      ['org', 'update', '--name', 'n'],
      ['org', 'invite', 'create'],
      ['org', 'invite', 'get'],
      ['org', 'invite', 'summary', A],
      ['org', 'join', A],
      ['org', 'leave'],
      ['org', 'members', 'list'],
      ['org', 'members', 'add', A],
      ['org', 'members', 'set-role', A, '--role', 'admin'],
      ['org', 'members', 'remove', A],
      ['user', 'create', '--email', 'e@x.y', '--name', 'n'],
      ['user', 'get', A],
      ['user', 'me'],
      ['user', 'list'],
      ['user', 'delete', A],
      ['pat', 'create', '--description', 'd'],
      ['pat', 'get', A],
      ['pat', 'list'],
      ['pat', 'revoke', A],
      ['sa', 'create', '--name', 'n'],
      ['sa', 'get', A],
      ['sa', 'list'],
      ['sa', 'delete', A],
      ['sa', 'tokens', 'create', A, '--description', 'd'],
      ['sa', 'tokens', 'list', A],
      ['sa', 'tokens', 'revoke', A],
      ['runner', 'create', '--name', 'n'],
      ['runner', 'get', A],
      ['runner', 'list'],
      ['runner', 'delete', A],
      ['runner', 'tokens', 'create', A],
      ['runner', 'tokens', 'list', A],
      ['runner', 'tokens', 'revoke', A, B],
      ['project', 'create', '--name', 'n'],
      ['project', 'get', A],
      ['project', 'list'],
      ['project', 'update', A, '--label', 'a=b'],
      ['project', 'delete', A],
      ['env', 'create', '--runner', A],
      ['env', 'create', '--runner', A, '--project', B],
      ['env', 'get', A],
      ['env', 'list'],
      ['env', 'update', A, '--remove-label', 'a'],
      ['env', 'stop', A],
      ['env', 'start', A],
      ['env', 'delete', A],
      ['env', 'token', A],
      ['env', 'tokens', 'list', A],
      ['env', 'tokens', 'revoke', A, B],
      ['oidc-config', 'get'],
      ['oidc-config', 'set', '--version', 'v3'],
      ['oidc-config', 'preview', '--version', 'v3'],
      ['keys', 'list'],
      ['keys', 'rotate'],
      ['keys', 'revoke', 'k', '--yes'],
      ['audit', 'list'],
      ['org', 'sso', 'get', A],
      ['org', 'sso', 'list'],
      ['org', 'sso', 'update', A, '--active'],
      ['org', 'sso', 'delete', A],
      ['org', 'profiles', 'create', '--name', 'n', '--audience', 'a'],
      ['org', 'profiles', 'get', A],
      ['org', 'profiles', 'list'],
      ['org', 'profiles', 'update', A, '--lifetime', '60'],
      ['org', 'profiles', 'delete', A],
    ];
    const covered = new Set<string>([
      'IdentityService/GetAuthenticatedIdentity',
      'IdentityService/GetIDToken',
      // envid idp trust <provider> (test/e2e/idp-trust.test.ts).
      'TrustService/PlanTrust',
    ]);
    for (const line of commandLines) covered.add((await parse(...line)).method);
    // org sso create reads its secret from a file (the 'org sso' case above).
    covered.add('OrganizationService/CreateSSOConfiguration');
    const served = apiMethods.map((m) => `${m.service}/${m.method}`);
    expect([...covered].sort()).toEqual([...served].sort());
  });
});
