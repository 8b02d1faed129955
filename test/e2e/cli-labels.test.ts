import { describe, expect, it, vi } from 'vitest';
import { adminCli, serverForFile } from '../support/admin-cli.ts';
import { setUpOrganizationThroughApi } from '../support/api-setup.ts';
import type { EnvidProcess } from '../support/envid-process.ts';

// One real server for the file; labels set, changed and shown through the built CLI, each run a process.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

describe('envid labels on projects and environments', () => {
  let server: EnvidProcess;
  const ids: Record<string, string> = {};
  const fileServer = serverForFile('envid-cli-labels-e2e-', async (started) => {
    server = started;
    const { organizationId, pat } = await setUpOrganizationThroughApi(server.url, server.adminToken);
    Object.assign(ids, { org: organizationId, pat });
  });
  const { cli, json, expectFailure } = adminCli(fileServer.home, () => server.url);

  it('project and env: --label on create, --label/--remove-label on update, shown by get and list', async () => {
    const pat = ids['pat']!;
    const { project } = await json(
      pat,
      'project',
      'create',
      '--name',
      'app',
      '--label',
      'team=web:core',
      '--label',
      'cost=50%',
    );
    expect(project.metadata.labels).toEqual({ cost: '50%', team: 'web:core' });
    const updated = await json(
      pat,
      'project',
      'update',
      project.id,
      '--label',
      'team=api',
      '--remove-label',
      'cost',
    );
    expect(updated.project.metadata.labels).toEqual({ team: 'api' });
    expect((await cli(pat, 'project', 'get', project.id)).stdout).toMatch(/^labels: +team=api$/m);
    const listed = await cli(pat, 'project', 'list');
    expect(listed.stdout).toMatch(/LABELS/);
    expect(listed.stdout).toMatch(/team=api/);

    const { runner } = await json(pat, 'runner', 'create', '--name', 'eu-1');
    const { environment } = await json(
      pat,
      'env',
      'create',
      '--runner',
      runner.runnerId,
      '--project',
      project.id,
      '--label',
      'tier=ci',
    );
    expect(environment.metadata.labels).toEqual({ tier: 'ci' });
    await json(pat, 'env', 'update', environment.id, '--label', 'owner=ada');
    expect((await cli(pat, 'env', 'get', environment.id)).stdout).toMatch(/^labels: +owner=ada, tier=ci$/m);

    // The server's refusal (64 more make 66) names the flag, as a usage error; nothing changed.
    const many = Array.from({ length: 64 }, (_, i) => ['--label', `l${i}=v`]).flat();
    expectFailure(
      await cli(pat, 'env', 'update', environment.id, ...many),
      2,
      /labels: at most 64 labels per resource \(set by --label\)/,
    );
    expect((await json(pat, 'env', 'get', environment.id)).environment.metadata.labels).toEqual({
      owner: 'ada',
      tier: 'ci',
    });
    expectFailure(
      await cli(pat, 'project', 'update', project.id),
      2,
      /nothing to change: give --label or --remove-label/,
    );

    const configured = await cli(
      pat,
      'oidc-config',
      'set',
      '--version',
      'v3',
      '--label-claims',
      '--extra-sub-field',
      'project_labels.team',
      '--confirm-sub-change',
    );
    expect(configured.code, configured.stderr).toBe(0);
    expect(configured.stdout).toMatch(/v3, extra sub fields: project_labels\.team, label claims/);
  });
});
