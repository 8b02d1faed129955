import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Every relative import (static and dynamic) of the .ts files under `dir`, as `file -> target`. */
function importsUnder(dir: string): { file: string; target: string }[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, dir, name))
    .filter((path) => path.endsWith('.ts') && statSync(path).isFile())
    .flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => ({
        file: relative(root, file),
        target: relative(root, resolve(dirname(file), m[1]!)),
      })),
    );
}

describe('the service layer (docs/architecture.md#service-layer)', () => {
  it('imports core, store and shared only: never the server or the CLI', () => {
    const imports = importsUnder('src/services');
    expect(imports.length).toBeGreaterThan(0);
    const wrong = imports
      .filter(({ target }) => !/^src\/(core|store|shared|services)\//.test(target))
      .map(({ file, target }) => `${file} -> ${target}`);
    expect(wrong).toEqual([]);
  });

  it('the token routes call the credential lifecycle, not the store', () => {
    const routes = ['personal-access-tokens', 'service-account-tokens', 'environment-tokens'];
    for (const route of routes) {
      const text = readFileSync(join(root, 'src/server/routes/api', `${route}.ts`), 'utf8');
      expect(text, route).not.toMatch(/\bstore\.|\btx\./);
      expect(text, route).toMatch(/services\/credentials\//);
    }
  });
});
