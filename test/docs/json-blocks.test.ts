import { describe, expect, it } from 'vitest';
import { jsoncValues } from './jsonc-values.ts';
import { fencedBlocks, userDocs } from './markdown-blocks.ts';

// The documentation's convention: a ```json block is one complete, valid JSON value that a reader can
// copy as is; an example that abbreviates (`// request`, `…`) is ```jsonc and must still be JSON once
// its comments and elisions are taken out. Anything else uses another fence (text, sh).
const blocks = userDocs().flatMap(fencedBlocks);
const where = (block: { file: string; line: number }) => `${block.file}:${block.line}`;

describe('JSON examples in README.md and docs/', () => {
  it('finds the documentation and its examples', () => {
    expect(userDocs()).toEqual(expect.arrayContaining(['README.md', 'docs/api.md', 'docs/tokens.md']));
    expect(blocks.filter((block) => block.language === 'json').length).toBeGreaterThan(5);
  });

  it.each(blocks.filter((block) => block.language === 'json').map((block) => [where(block), block]))(
    '%s: a json block is one valid JSON value',
    (_where, block) => {
      expect(() => JSON.parse(block.body)).not.toThrow();
    },
  );

  it.each(blocks.filter((block) => block.language === 'jsonc').map((block) => [where(block), block]))(
    '%s: a jsonc block is JSON once its comments and … are taken out',
    (_where, block) => {
      expect(jsoncValues(block.body).length).toBeGreaterThan(0);
    },
  );
});

describe('jsoncValues', () => {
  it('takes out comments and elisions and splits a request from its response', () => {
    const text = [
      '// request',
      '{"id": "0b6f…", …, "url": "https://x.example/a//b"}',
      '/* response */',
      '{"items": [{…}, …], "nested": {"a": 1, …}}',
    ].join('\n');
    expect(jsoncValues(text)).toEqual([
      { id: '0b6f…', url: 'https://x.example/a//b' },
      { items: [{}], nested: { a: 1 } },
    ]);
  });

  it.each([
    ['a stray line after the value', '{"a": 1}\n{ "iss": "x",'],
    ['a missing comma', '{"a": 1 "b": 2}'],
    ['an unclosed string', '{"a": "1}'],
    ['prose outside a value', '{"a": 1} as before'],
    ['an unmatched bracket', '{"a": [1}'],
  ])('refuses %s', (_name, text) => {
    expect(() => jsoncValues(text)).toThrow(SyntaxError);
  });
});
