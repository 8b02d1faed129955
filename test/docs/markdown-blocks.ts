import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const repoRoot = new URL('../../', import.meta.url).pathname;

/** README.md and every Markdown file under docs/, as paths relative to the repository. */
export function userDocs(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? walk(join(dir, entry.name))
        : entry.name.endsWith('.md')
          ? [join(dir, entry.name)]
          : [],
    );
  return ['README.md', ...walk('docs')].map((path) => relative(repoRoot, join(repoRoot, path)));
}

export interface FencedBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word (`json` for ```json theme=x), '' when there is none. */
  language: string;
  body: string;
}

/** The fenced code blocks (```) of a Markdown file. */
export function fencedBlocks(file: string): FencedBlock[] {
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  const blocks: FencedBlock[] = [];
  let open: { line: number; language: string; body: string[] } | undefined;
  lines.forEach((text, index) => {
    const fence = /^\s*```(.*)$/.exec(text);
    if (!fence) {
      open?.body.push(text);
      return;
    }
    if (open) {
      blocks.push({ file, line: open.line, language: open.language, body: open.body.join('\n') });
      open = undefined;
    } else {
      open = { line: index + 1, language: fence[1]!.trim().split(/\s+/)[0] ?? '', body: [] };
    }
  });
  if (open) throw new Error(`${file}:${open.line}: a code block is never closed`);
  return blocks;
}

/** GitHub's anchor for a Markdown heading. */
export const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

/** The anchors of a Markdown file's headings (`file` relative to the repository). */
export function anchorsOf(file: string): Set<string> {
  const headings = readFileSync(join(repoRoot, file), 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line));
  return new Set(headings.map((line) => slug(line.replace(/^#+ /, ''))));
}
