import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiErrorCodes } from '../../src/core/errors.ts';
import { httpStatusOf } from '../../src/server/connect/errors.ts';
import { ExitCode, formatExitCodeTable } from '../../src/shared/exit-codes.ts';
import { repoRoot } from './markdown-blocks.ts';

/**
 * docs/errors.md lists every code envid can answer, and nothing else. The codes a build can produce are
 * read from the sources: every `new ApiError('<code>'`, every factory of src/core/errors.ts that some
 * file calls, the HTTP layer's refusals, and every exit code some file uses.
 */
const sourceFiles = (dir: string): string[] =>
  readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
const sources = new Map(sourceFiles('src').map((file) => [file, readFileSync(join(repoRoot, file), 'utf8')]));
const errorsFile = 'src/core/errors.ts';
const exitCodesFile = 'src/shared/exit-codes.ts';
const clientErrorsFile = 'src/server/connect/client-errors.ts';

/** The rows of the table under `## <heading>` in docs/errors.md, as their cells. */
function tableRows(heading: string): string[][] {
  const doc = readFileSync(join(repoRoot, 'docs/errors.md'), 'utf8');
  const section = doc.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  if (!section) throw new Error(`docs/errors.md has no "## ${heading}" section`);
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[-| ]+\|$/.test(line))
    .slice(1) // the header row
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

function producedApiCodes(): Map<string, string[]> {
  const where = new Map<string, string[]>();
  const add = (code: string, file: string) => where.set(code, [...(where.get(code) ?? []), file]);
  for (const [file, text] of sources) {
    for (const [, code] of text.matchAll(/new ApiError\(\s*'([a-z_]+)'/g)) {
      if (file !== errorsFile) add(code!, file);
    }
  }
  const factories = [
    ...sources
      .get(errorsFile)!
      .matchAll(/export const (\w+) = \([^)]*\): ApiError =>\s*new ApiError\('([a-z_]+)'/g),
  ];
  expect(factories.length).toBeGreaterThan(0);
  for (const [, name, code] of factories) {
    const callers = [...sources].filter(
      ([file, text]) => file !== errorsFile && new RegExp(`\\b${name}\\(`).test(text),
    );
    for (const [file] of callers) add(code!, file);
  }
  for (const [, code] of sources.get(clientErrorsFile)!.matchAll(/code: '([a-z_]+)'/g))
    add(code!, clientErrorsFile);
  return where;
}

describe('docs/errors.md', () => {
  it('every ApiError is made with a literal code, so that reading the sources finds them all', () => {
    const dynamic = [...sources].flatMap(([file, text]) =>
      [...text.matchAll(/new ApiError\(\s*([^'\s)][^,)]*)/g)].map(
        (match) => `${file}: new ApiError(${match[1]}`,
      ),
    );
    expect(dynamic).toEqual([]);
  });

  it('lists every API error code the server can answer, and only those', () => {
    const produced = producedApiCodes();
    const documented = tableRows('API error codes').map(([code]) => code!.replace(/`/g, ''));
    expect(new Set(documented).size).toBe(documented.length);
    expect([...produced.keys()].filter((code) => !documented.includes(code))).toEqual([]);
    expect(documented.filter((code) => !produced.has(code))).toEqual([]);
    // Every code core declares can happen: a declared code that nothing makes is one to remove.
    expect(apiErrorCodes.filter((code) => !produced.has(code))).toEqual([]);
  });

  it('gives each API code the HTTP status the server answers it with', () => {
    // The HTTP layer's refusals carry their own status (src/server/connect/client-errors.ts).
    const httpLayer = new Map<string, string[]>();
    for (const [, status, code] of sources
      .get(clientErrorsFile)!
      .matchAll(/status: (\d+),\s*reason: '[^']*',\s*code: '([a-z_]+)'/g)) {
      httpLayer.set(code!, [...(httpLayer.get(code!) ?? []), status!]);
    }
    expect(httpLayer.size).toBeGreaterThan(0);
    for (const [cell = '', statuses = ''] of tableRows('API error codes')) {
      const code = cell.replace(/`/g, '');
      const documented = statuses.match(/\d+/g) ?? [];
      const answered = [
        ...(code in httpStatusOf ? [String(httpStatusOf[code as keyof typeof httpStatusOf])] : []),
        ...(httpLayer.get(code) ?? []),
      ];
      expect(new Set(documented), code).toEqual(new Set(answered));
    }
  });

  it('says what each code means and what to do about it', () => {
    for (const [code, , meaning, todo] of tableRows('API error codes')) {
      expect(meaning, code).not.toBe('');
      expect(todo, code).not.toBe('');
    }
    for (const [code, meaning, todo] of tableRows('CLI exit codes')) {
      expect(meaning, code).not.toBe('');
      if (code !== '0') expect(todo, code).not.toBe('');
    }
  });

  it('lists every exit code the CLI can end with, as `envid help exit-codes` does, and only those', () => {
    const names = Object.keys(ExitCode) as (keyof typeof ExitCode)[];
    const used = names.filter((name) =>
      [...sources].some(([file, text]) => file !== exitCodesFile && text.includes(`ExitCode.${name}`)),
    );
    const produced = used.map((name) => String(ExitCode[name])).sort();
    // Nothing ends the CLI with a bare number that bypasses the table.
    const bare = [...sources].flatMap(([file, text]) =>
      [...text.matchAll(/(?:exitCode = |new CliError\([^)]*, )(\d+)/g)].map(
        (match) => `${file}: ${match[0]}`,
      ),
    );
    expect(bare).toEqual([]);
    const documented = tableRows('CLI exit codes').map(([code]) => code!);
    expect(documented).toEqual(produced);
    const helpTable = [...formatExitCodeTable().matchAll(/^ {2}(\d+) {2}/gm)].map((match) => match[1]);
    expect(helpTable).toEqual(documented);
  });
});
