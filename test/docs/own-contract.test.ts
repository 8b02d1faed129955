import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorsOf, repoRoot, slug, userDocs } from './markdown-blocks.ts';

// The project documents its own contract in docs/: code, tests and docs cite those pages, never a
// document that lives outside the repository (a specification or notes no reader of the code has).
const trees = ['src', 'test', 'docs', 'bench', 'scripts'];
const topFiles = ['README.md', 'BENCHMARKS.md'];
const thisFile = 'test/docs/own-contract.test.ts';
const outsideDocuments = [/\bSPEC\b/, /\bSPEC\.md\b/, /\bPROVIDERS\.md\b/, /\bENGINEERING\.md\b/, /\/work\//];

function filesUnder(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const sources = [...trees.flatMap(filesUnder), ...topFiles].filter(
  (path) => path !== thisFile && /\.(ts|mjs|js|md|json|sh)$/.test(path),
);

describe('the project cites only its own documents', () => {
  it('reads the source, test and documentation trees', () => {
    expect(sources).toEqual(expect.arrayContaining(['src/core/tokens/issue-token.ts', 'docs/tokens.md']));
  });

  it('names no document from outside the repository', () => {
    const citations = sources.flatMap((path) =>
      readFileSync(join(repoRoot, path), 'utf8')
        .split('\n')
        .flatMap((line, index) =>
          outsideDocuments.some((pattern) => pattern.test(line))
            ? [`${path}:${index + 1}: ${line.trim()}`]
            : [],
        ),
    );
    expect(citations).toEqual([]);
  });

  it('cites docs/ pages and headings that exist', () => {
    const broken: string[] = [];
    for (const path of sources) {
      const text = readFileSync(join(repoRoot, path), 'utf8');
      for (const match of text.matchAll(/\bdocs\/[\w./-]*\w\.md(?:#[\w-]+)?/g)) {
        const [doc, anchor] = match[0].split('#') as [string, string | undefined];
        const exists = statSync(join(repoRoot, doc), { throwIfNoEntry: false })?.isFile() === true;
        if (!exists || (anchor !== undefined && !anchorsOf(doc).has(anchor)))
          broken.push(`${path}: ${match[0]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('links README.md and docs/ pages to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of userDocs()) {
      // Code blocks are examples, not links.
      const text = readFileSync(join(repoRoot, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const linked = path ? normalize(join(dirname(file), path)) : file;
        if (!existsSync(join(repoRoot, linked))) broken.push(`${file}: ${target} (no such file)`);
        else if (anchor && linked.endsWith('.md') && !anchorsOf(linked).has(anchor))
          broken.push(`${file}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('makes anchors as GitHub does', () => {
    expect(slug('V2 (legacy): path-shaped `sub`')).toBe('v2-legacy-path-shaped-sub');
    expect(slug('Warnings (never refusals)')).toBe('warnings-never-refusals');
  });
});
