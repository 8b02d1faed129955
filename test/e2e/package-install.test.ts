import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { untilListening } from '../support/envid-process.ts';
import type { CliResult } from '../support/run-cli.ts';

// One pack and one install from the registry (with npm's cache, --prefer-offline) for the whole file.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 240_000 });

const repo = join(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));

/** The environment without what `npm test` sets for its scripts (npm_config_*, npm_package_*, …). */
function environmentWithoutNpm(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

function run(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }) {
  return new Promise<CliResult>((resolve) => {
    execFile(command, args, { ...options, timeout: 180_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('npm pack, then npm install -g of the tarball: the installed envid runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'envid-package-'));
  const prefix = join(dir, 'prefix');
  const installed = join(prefix, 'lib', 'node_modules', 'envid');
  /** What a shell of the user finds: the installed envid and node. */
  const env = {
    ...environmentWithoutNpm(),
    PATH: [join(prefix, 'bin'), dirname(process.execPath)].join(delimiter),
  };
  const envid = (args: string[]) => run('envid', args, { env });
  let packed: { filename: string; files: { path: string }[] };
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    // Packed from a copy, so that pack's own build (prepare) never replaces the dist/ other tests run.
    const project = join(dir, 'project');
    for (const entry of [
      'package.json',
      'package-lock.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'bin',
      'src',
      'scripts',
    ]) {
      cpSync(join(repo, entry), join(project, entry), { recursive: true });
    }
    symlinkSync(realpathSync(join(repo, 'node_modules')), join(project, 'node_modules'));
    const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: project,
      env: environmentWithoutNpm(),
    });
    expect(pack.code, pack.stderr).toBe(0);
    [packed] = JSON.parse(pack.stdout);
    const install = await run(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        join(dir, packed.filename),
      ],
      { cwd: dir, env: environmentWithoutNpm() },
    );
    expect(install.code, install.stderr).toBe(0);
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('the tarball holds the built CLI, the license, the changelog and no sources, tests or source maps', () => {
    expect(packed.filename).toBe(`envid-${version}.tgz`);
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'bin/envid.js',
        'bin/package.json',
        'dist/envid.cjs',
        'dist/kubernetes-credential.cjs',
        'dist/main.js',
      ]),
    );
    // The server's chunk too (its name carries a hash).
    expect(paths.some((path) => /^dist\/run-server-\w+\.js$/.test(path))).toBe(true);
    expect(paths.filter((path) => !/^(bin|dist)\//.test(path)).sort()).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'package.json',
    ]);
    expect(paths.filter((path) => path.endsWith('.map'))).toEqual([]);
  });

  it('npm links envid into the prefix’s bin; the package has its dependencies and no development ones', () => {
    expect(lstatSync(join(prefix, 'bin', 'envid')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(prefix, 'bin', 'envid'))).toBe('../lib/node_modules/envid/bin/envid.js');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    for (const dependency of Object.keys(manifest.dependencies)) {
      expect({ dependency, installed: existsSync(join(installed, 'node_modules', dependency)) }).toEqual({
        dependency,
        installed: true,
      });
    }
    for (const dependency of ['esbuild', 'vitest', 'typescript', 'tsx']) {
      expect(existsSync(join(installed, 'node_modules', dependency))).toBe(false);
    }
    expect(existsSync(join(installed, 'src'))).toBe(false);
  });

  it('envid --version, -V and --help', async () => {
    expect(await envid(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await envid(['-V'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    const help = await envid(['--help']);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: envid \[options\] \[command\]/);
    for (const command of ['serve', 'login', 'idp'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('envid serve --port 0 starts on the embedded database and answers discovery', async () => {
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const child = spawn('envid', ['serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    const { url, exited } = await untilListening(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const discovery = await fetch(`${url}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    const configuration = (await discovery.json()) as { issuer: string; jwks_uri: string };
    expect(configuration.issuer).toBe(url);
    const jwks = (await (await fetch(configuration.jwks_uri)).json()) as { keys: unknown[] };
    expect(jwks.keys).toEqual(
      expect.arrayContaining([expect.objectContaining({ kty: 'RSA', alg: 'RS256' })]),
    );
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('a login run from outside PATH’s envid refuses, saying how to install it', async () => {
    const result = await run(
      process.execPath,
      [
        join(installed, 'bin', 'envid.js'),
        'idp',
        'login',
        'aws',
        '--role-arn',
        'arn:aws:iam::123456789012:role/dev',
      ],
      { env: { HOME: join(dir, 'home'), PATH: dirname(process.execPath) } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no installed envid is on PATH');
    expect(result.stderr).toContain(`\`npm install -g ./envid-${version}.tgz\``);
  });
});
