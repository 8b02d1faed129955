import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.ts';
import { relyingParties } from '../../src/relying-parties/registry.ts';
import { jwtPart } from '../support/jwt-parts.ts';

const root = resolve(import.meta.dirname, '../..');
const jwt = (header: object, claims: object) => `${jwtPart(header)}.${jwtPart(claims)}.c2ln`;

/** Every .ts file under `dir`, with the files its relative imports (static and dynamic) name. */
function importsUnder(dir: string): { file: string; imports: string[] }[] {
  const files = readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, dir, name))
    .filter((path) => path.endsWith('.ts') && statSync(path).isFile());
  return files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
    return {
      file: relative(root, file),
      imports: specifiers.map((specifier) => relative(root, resolve(dirname(file), specifier))),
    };
  });
}

describe('relying parties as plug-ins (docs/relying-parties.md)', () => {
  it('each registry entry has a unique id, its docs page, and its login named after it', () => {
    const ids = relyingParties.map((party) => party.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const party of relyingParties) {
      expect(party.login.name).toBe(party.id);
      expect(existsSync(join(root, party.docs)), party.docs).toBe(true);
      expect(party.defaultAudience).not.toBe('');
    }
  });

  it('the CLI builds `envid idp login <id>` and the helper commands from the registry, in its order', async () => {
    const program = await buildProgram([]);
    const idp = program.commands.find((command) => command.name() === 'idp')!;
    const login = idp.commands.find((command) => command.name() === 'login')!;
    expect(login.commands.map((command) => command.name())).toEqual(relyingParties.map((party) => party.id));
    const helpers = relyingParties.flatMap((party) => party.commands.map((command) => command.name));
    expect(helpers.length).toBeGreaterThan(0);
    for (const name of helpers) expect(idp.commands.map((command) => command.name())).toContain(name);
    for (const party of relyingParties) {
      const command = login.commands.find((candidate) => candidate.name() === party.id)!;
      const flags = command.options.map((option) => option.long);
      for (const option of party.login.options) expect(flags).toContain(option.flags.split(' ')[0]);
      expect(flags).toEqual(expect.arrayContaining(['--host', '--token']));
    }
  });

  it('relying parties import nothing from the CLI or the server', () => {
    const wrong = importsUnder('src/relying-parties').flatMap(({ file, imports }) =>
      imports.filter((path) => /^src\/(cli|server)\//.test(path)).map((path) => `${file} -> ${path}`),
    );
    expect(wrong).toEqual([]);
  });

  it('the helpers the CLI shares with them (src/shared) import nothing above them', () => {
    const wrong = importsUnder('src/shared').flatMap(({ file, imports }) =>
      imports
        .filter((path) => /^src\/(cli|server|relying-parties)\//.test(path))
        .map((path) => `${file} -> ${path}`),
    );
    expect(wrong).toEqual([]);
  });

  it('core imports nothing of a relying party (the parties build on core, never the reverse)', () => {
    const wrong = importsUnder('src/core').flatMap(({ file, imports }) =>
      imports.filter((path) => path.startsWith('src/relying-parties/')).map((path) => `${file} -> ${path}`),
    );
    expect(wrong).toEqual([]);
  });

  it("each party's pure rules say what it refuses in any token", () => {
    const byId = Object.fromEntries(relyingParties.map((party) => [party.id, party]));
    const now = 1_800_000_000;
    const fine = jwt(
      { alg: 'RS256', kid: 'k' },
      { iss: 'https://envid.example.com', sub: 'org:1:env:2', aud: 'x', iat: now, exp: now + 600 },
    );
    for (const party of relyingParties) expect(party.rules.tokenProblems(fine), party.id).toEqual([]);

    const googleSubject = 'é'.repeat(byId['gcp']!.limits.subject!.max); // two bytes each
    const longLived = jwt(
      { alg: 'RS256', kid: 'k' },
      { iss: 'https://envid.example.com', sub: googleSubject, aud: 'x', iat: now, exp: now + 48 * 3600 },
    );
    expect(byId['gcp']!.rules.tokenProblems(longLived)).toEqual([
      `its sub is ${2 * googleSubject.length} bytes, more than google.subject's 127`,
      'it lives 48 h or more',
    ]);
    expect(byId['azure']!.rules.tokenProblems(jwt({ alg: 'ES256', kid: 'k' }, {}))).toContain(
      'alg is ES256; Entra accepts only RS256',
    );
    expect(byId['aws']!.rules.tokenProblems('abc')).toContain('the token is not a JWT');
  });
});
