import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { titled } from '../support/skip-reason.ts';

// The deployment recipes of docs/deploy.md, checked without a container engine or a cluster: the unit by
// systemd's own verifier and security scorer, the manifests against Kubernetes' OpenAPI schemas
// (kubernetes-models) and by kubectl's kustomize, the Containerfile against what the package ships.
const repo = join(import.meta.dirname, '../..');
const deploy = join(repo, 'deploy');

function run(command: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const systemdAnalyze = '/usr/bin/systemd-analyze';
/** Why the unit test skips, or undefined. CI sets ENVID_REQUIRE_SYSTEMD_ANALYZE: there it fails. */
const noSystemdAnalyze = (() => {
  if (existsSync(systemdAnalyze)) return undefined;
  const reason = `systemd-analyze is not installed at ${systemdAnalyze} (apt-get install systemd)`;
  if (process.env['ENVID_REQUIRE_SYSTEMD_ANALYZE']) throw new Error(reason);
  return reason;
})();

describe.skipIf(noSystemdAnalyze !== undefined)(titled('the systemd unit', noSystemdAnalyze), () => {
  const dir = mkdtempSync(join(tmpdir(), 'envid-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const unitText = readFileSync(join(deploy, 'systemd/envid.service'), 'utf8');
  /** The unit with ExecStart naming this machine's node, since the verifier checks that it exists. */
  function writeUnit(text: string): string {
    const file = join(dir, 'envid.service');
    writeFileSync(file, text.replace('/usr/bin/node ', `${process.execPath} `));
    return file;
  }

  it('passes systemd-analyze verify without a warning', async () => {
    const result = await run(systemdAnalyze, ['verify', '--man=no', writeUnit(unitText)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('the verifier would see a misspelt directive (the check can fail)', async () => {
    const broken = unitText.replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes');
    const result = await run(systemdAnalyze, ['verify', '--man=no', writeUnit(broken)]);
    expect(result.stderr).toMatch(/Unknown key 'NoNewPrivilege'/);
  });

  it('is hardened: DynamicUser, ProtectSystem=strict, NoNewPrivileges, and an exposure score of at most 2', async () => {
    expect(unitText).toMatch(/^DynamicUser=yes$/m);
    expect(unitText).toMatch(/^ProtectSystem=strict$/m);
    expect(unitText).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unitText).toMatch(/^StateDirectoryMode=0700$/m);
    const result = await run(systemdAnalyze, ['security', '--offline=yes', writeUnit(unitText)]);
    const score = /Overall exposure level for envid\.service: ([\d.]+)/.exec(result.stdout)?.[1];
    expect(score, result.stdout + result.stderr).toBeDefined();
    expect(Number(score)).toBeLessThanOrEqual(2);
  });
});

/** Every YAML document of a manifest file. */
function manifests(file: string): Array<Record<string, unknown>> {
  return parseAllDocuments(readFileSync(join(deploy, 'kubernetes', file), 'utf8')).map((document) => {
    expect(document.errors).toEqual([]);
    return document.toJS() as Record<string, unknown>;
  });
}

/** Validated against Kubernetes' schema for its kind; throws naming the field otherwise. */
function validated<T extends { validate(): void }>(model: T): T {
  model.validate();
  return model;
}

describe('the Kubernetes manifests', () => {
  const [deploymentDocument] = manifests('deployment.yaml');
  const deployment = validated(new Deployment(deploymentDocument as never));
  const container = deployment.spec?.template.spec?.containers[0];

  it('each file is valid for its kind (OpenAPI schemas), and an invalid one would be refused', () => {
    const [service] = manifests('service.yaml');
    const [budget] = manifests('pod-disruption-budget.yaml');
    const [secret] = manifests('secret.example.yaml');
    validated(new Service(service as never));
    validated(new PodDisruptionBudget(budget as never));
    validated(new Secret(secret as never));
    const broken = structuredClone(deploymentDocument) as { spec: { replicas: unknown } };
    broken.spec.replicas = 'three';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it('three replicas, readiness on /readyz, liveness on /healthz, as a non-root user with a read-only root', () => {
    expect(deployment.spec?.replicas).toBe(3);
    expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container?.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(deployment.spec?.template.spec?.securityContext?.runAsNonRoot).toBe(true);
    expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(container?.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(container?.securityContext?.capabilities?.drop).toEqual(['ALL']);
  });

  it('the master key comes from the Secret, never from the manifest', () => {
    expect(container?.envFrom?.map((source) => source.secretRef?.name)).toContain('envid');
    const plain = (container?.env ?? []).map((variable) => variable.name);
    expect(plain).not.toContain('ENVID_MASTER_KEY');
    const [secret] = manifests('secret.example.yaml') as Array<{ stringData: Record<string, string> }>;
    expect(Object.keys(secret?.stringData ?? {})).toContain('ENVID_MASTER_KEY');
  });

  it('the budget keeps two of three and selects the pods the Service and Deployment select', () => {
    const [budget] = manifests('pod-disruption-budget.yaml') as never[];
    const [service] = manifests('service.yaml') as never[];
    const pdb = new PodDisruptionBudget(budget);
    expect(pdb.spec?.minAvailable).toBe(2);
    const labels = deployment.spec?.template.metadata?.labels;
    expect(pdb.spec?.selector?.matchLabels).toEqual(labels);
    expect(new Service(service).spec?.selector).toEqual(labels);
    expect(deployment.spec?.selector.matchLabels).toEqual(labels);
  });

  it('kubectl kustomize builds the set (Deployment, Service, PodDisruptionBudget; no Secret)', async () => {
    const result = await run('kubectl', ['kustomize', join(deploy, 'kubernetes')]);
    expect(result.stderr).toBe('');
    const kinds = parseAllDocuments(result.stdout).map(
      (document) => (document.toJS() as { kind: string }).kind,
    );
    expect(kinds.sort()).toEqual(['Deployment', 'PodDisruptionBudget', 'Service']);
  });
});

describe('the Containerfile', () => {
  const text = readFileSync(join(deploy, 'Containerfile'), 'utf8');
  /** Instructions of the final stage, continuation lines joined. */
  const stages = text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .join('\n')
    .split(/^(?=FROM )/m);
  const final = stages.at(-1) ?? '';

  it('builds in a node:20-slim stage and runs from a node:20-slim stage as a non-root user', () => {
    expect(stages.map((stage) => stage.split('\n')[0])).toEqual([
      'FROM node:20-slim AS build',
      'FROM node:20-slim',
    ]);
    const user = /^USER (\S+)$/m.exec(final)?.[1];
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('installs no build tools in the final image', () => {
    expect(final).not.toMatch(/apt-get|apk |build-essential|gcc|g\+\+|python|make /);
    expect(final).not.toMatch(/npm (ci|install)/);
  });

  it('copies exactly what the package ships (package.json "files") plus the runtime dependencies', () => {
    const copied = [...final.matchAll(/^COPY --from=build \/src\/(\S+) /gm)].map((match) => match[1]);
    const { files } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { files: string[] };
    const shipped = files.filter((entry) => !entry.startsWith('!') && entry.endsWith('/'));
    expect(copied.sort()).toEqual(
      ['package.json', 'node_modules', ...shipped.map((entry) => entry.replace(/\/$/, ''))].sort(),
    );
    expect(final).toMatch(/^ENTRYPOINT \["node", "\/opt\/envid\/bin\/envid\.js"\]$/m);
    expect(existsSync(join(repo, 'bin/envid.js'))).toBe(true);
  });
});
