import { execFile } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { adminCli, secretWarning, serverForFile } from '../support/admin-cli.ts';
import { connectCall, sdkClient, setUpOrganizationThroughApi } from '../support/api-setup.ts';
import { type EnvidProcess, envidBin } from '../support/envid-process.ts';

// One real server for the file; every admin task goes through the built CLI, each run a process of its own.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

// The organization and its admin Ada come from the API (beforeAll); each test makes the runners,
// projects and environments it needs, so none depends on another having run.
describe('envid admin commands: service accounts, runners, projects, environments, OIDC config', () => {
  let server: EnvidProcess;
  const ids: Record<string, string> = {};

  const fileServer = serverForFile('envid-cli-admin-workloads-e2e-', async (started) => {
    server = started;
    const { organizationId, userId, pat } = await setUpOrganizationThroughApi(server.url, server.adminToken);
    Object.assign(ids, { org: organizationId, ada: userId, pat });
  });
  const { cli, json, expectFailure, expectSecret } = adminCli(fileServer.home, () => server.url);

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
    const api = sdkClient(server.url, pat);
    const { runner } = await api.runners.create({ name: 'eu-2' });
    const { project } = await api.projects.create({
      name: 'app-2',
      environmentClass: {},
      initializer: { specs: [{ git: { remoteUri: 'https://github.com/acme/app-2.git' } }] },
    });
    const runnerId = runner.runnerId!;
    const projectId = project!.id!;
    const { environment } = await json(pat, 'env', 'create', '--runner', runnerId, '--project', projectId);
    expect(environment).toMatchObject({
      metadata: { projectId: projectId, runnerId: runnerId },
      status: { phase: 'ENVIRONMENT_PHASE_RUNNING' },
    });
    const listed = await json(pat, 'env', 'list', '--phase', 'running', '--runner', runnerId);
    expect(listed.environments.map((e: any) => e.id)).toEqual([environment.id]);
    expect((await json(pat, 'env', 'list', '--phase', 'stopped')).environments).toEqual([]);

    // The runner's own token runs the environment: it lists it, stops and starts it, mints its token;
    // deleting it is not the runner's call.
    const runnerToken = (await cli(pat, 'runner', 'tokens', 'create', runnerId)).stdout.trim();
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
        {
          env: {
            PATH: process.env['PATH'],
            HOME: fileServer.home(),
            NODE: process.execPath,
            ENVID_BIN: envidBin,
          },
        },
        (error, stdout) => resolve({ code: error ? 1 : 0, stdout }),
      );
    });
    expect(inside.code).toBe(0);
    const token = JSON.parse(inside.stdout);
    expect(token.Claims).toMatchObject({
      aud: 'sts.amazonaws.com',
      environment_id: environment.id,
      project_id: projectId,
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
      runnerId,
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
      await cli(pat, 'runner', 'delete', runnerId),
      1,
      /failed_precondition.*\(with envid: --force\)/,
    );
    expect((await cli(pat, 'project', 'delete', projectId)).code).toBe(0);
    expect((await cli(pat, 'runner', 'delete', runnerId, '--force')).code).toBe(0);
    // A deleted runner's environment records go with it.
    expectFailure(await cli(pat, 'env', 'get', second.environment.id), 4, /not_found/);
    expectFailure(await cli(pat, 'runner', 'get', runnerId), 4, /not_found/);
  });

  it('oidc-config get, preview, set (with --confirm-sub-change) and the audit log', async () => {
    const pat = ids['pat']!;
    // Two tokens of an environment for the audit log, as a runner's environment gets them.
    const api = sdkClient(server.url, pat);
    const { runner } = await api.runners.create({ name: 'audit-1' });
    const { environment } = await api.environments.create({ spec: { machine: { class: runner.runnerId! } } });
    const { accessToken } = await api.environments.createEnvironmentToken({ environmentId: environment.id });
    for (const lifetime of ['900s', '1800s']) {
      await connectCall(server.url, accessToken, 'IdentityService/GetIDToken', {
        audience: ['sts.amazonaws.com'],
        lifetime,
      });
    }
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
});
