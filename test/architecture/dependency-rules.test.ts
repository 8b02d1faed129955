import { execFile } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The rule sets of `npm run lint:dependencies` (docs/architecture.md#layers), run the way lint runs them,
 * on a copy of today's src/ with three deliberate mistakes planted. The copy's violations must be exactly
 * the planted ones: that shows each rule catches its mistake and that the real tree has none of its own.
 */
const run = promisify(execFile);
const root = process.cwd();
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  rule: string;
  from: string;
  to: string;
  cycle?: string[];
}

async function cruise(cwd: string, args: string[]): Promise<Violation[]> {
  const { stdout } = await run(process.execPath, [depcruise, ...args, '--output-type', 'json'], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = JSON.parse(stdout) as {
    summary: {
      violations: { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }[];
    };
  };
  return result.summary.violations.map(({ rule, from, to, cycle }) => ({
    rule: rule.name,
    from,
    // A package resolves through the copy's node_modules link to the checkout's real path.
    to: to.replace(/^.*?node_modules\//, 'node_modules/'),
    ...(cycle ? { cycle: cycle.map((step) => step.name) } : {}),
  }));
}

let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'envid-dependency-rules-'));
  for (const file of [
    'src',
    'tsconfig.json',
    '.dependency-cruiser.cjs',
    '.dependency-cruiser-token-path.cjs',
  ]) {
    cpSync(join(root, file), join(copy, file), { recursive: true });
  }
  symlinkSync(realpathSync(join(root, 'node_modules')), join(copy, 'node_modules'));
  // 1. An import the wrong way: core reaching up into the store.
  writeFileSync(
    join(copy, 'src/core/planted-wrong-way.ts'),
    "import { openStore } from '../store/open-store.ts';\n\nexport const opener = openStore;\n",
  );
  // 2. A cycle of two shared helpers.
  writeFileSync(
    join(copy, 'src/shared/planted-cycle-a.ts'),
    "import { b } from './planted-cycle-b.ts';\n\nexport const a = (): number => b() + 1;\n",
  );
  writeFileSync(
    join(copy, 'src/shared/planted-cycle-b.ts'),
    "import { a } from './planted-cycle-a.ts';\n\nexport const b = (): number => (a.length > 0 ? 0 : 1);\n",
  );
  // 3. The token fast path reaching a database driver, two static imports away from the entry.
  writeFileSync(
    join(copy, 'src/cli/planted-fast-path.ts'),
    "import pg from 'pg';\n\nexport const Client = pg.Client;\n",
  );
  appendFileSync(
    join(copy, 'src/cli/thread-pool-size.ts'),
    "\nexport { Client } from './planted-fast-path.ts';\n",
  );
});

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

// The two cruises read the same copy and run side by side.
describe.concurrent('dependency rules (npm run lint:dependencies)', () => {
  it('the layer rules report the wrong-way import, the cycle and the stray driver, and nothing else', async () => {
    const violations = await cruise(copy, ['src', '--config', '.dependency-cruiser.cjs']);
    // The copy is today's src/ plus the plants: any violation not listed here is one of the real tree's.
    expect(violations).toEqual([
      {
        rule: 'core-imports-only-core',
        from: 'src/core/planted-wrong-way.ts',
        to: 'src/store/open-store.ts',
      },
      {
        rule: 'database-drivers-only-in-store-drivers',
        from: 'src/cli/planted-fast-path.ts',
        to: 'node_modules/pg/esm/index.mjs',
      },
      {
        rule: 'no-cycle',
        from: 'src/shared/planted-cycle-a.ts',
        to: 'src/shared/planted-cycle-b.ts',
        cycle: ['src/shared/planted-cycle-b.ts', 'src/shared/planted-cycle-a.ts'],
      },
    ]);
  }, 240_000);

  it('the token path rule reports the driver the entry reaches statically, not the server it loads by import()', async () => {
    const violations = await cruise(copy, [
      'src/cli/entry.ts',
      '--config',
      '.dependency-cruiser-token-path.cjs',
    ]);
    expect(violations.map(({ rule, from, to }) => ({ rule, from, to }))).toEqual([
      { rule: 'token-fast-path-stays-light', from: 'src/cli/entry.ts', to: 'node_modules/pg/esm/index.mjs' },
    ]);
  }, 240_000);
});
