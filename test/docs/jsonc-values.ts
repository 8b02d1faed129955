/**
 * The JSON values of a documentation example that abbreviates: `// comment` and `/* comment *\/`
 * lines, `…` for left-out members or elements, and several values one after another (a request, then
 * its response). What is left once those are taken out must be valid JSON, so an example can leave
 * things out but never be malformed (a missing brace, a stray line, a doubled comma).
 */
export function jsoncValues(text: string): unknown[] {
  return splitTopLevel(withoutCommentsAndElisions(text)).map((value) => JSON.parse(value) as unknown);
}

function withoutCommentsAndElisions(text: string): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '"') {
      const end = stringEnd(text, index);
      out += text.slice(index, end);
      index = end;
    } else if (text.startsWith('//', index)) {
      const newline = text.indexOf('\n', index);
      index = newline === -1 ? text.length : newline;
    } else if (text.startsWith('/*', index)) {
      const close = text.indexOf('*/', index + 2);
      if (close === -1) throw new SyntaxError('a /* comment is never closed');
      index = close + 2;
    } else if (char === '…') {
      out += ' ';
      index++;
    } else {
      out += char;
      index++;
    }
  }
  // An elision leaves its commas behind: `[a, …]`, `{…, "b": 1}`, `a, …, b`.
  return out
    .replace(/,(\s*,)+/g, ',')
    .replace(/([{[])\s*,/g, '$1')
    .replace(/,(\s*[}\]])/g, '$1');
}

/** The index just past the string literal that starts at `start`. */
function stringEnd(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
  if (index >= text.length) throw new SyntaxError('a string is never closed');
  return index + 1;
}

/** Top-level objects and arrays, one after another. */
function splitTopLevel(text: string): string[] {
  const values: string[] = [];
  let depth = 0;
  let start = -1;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '"') {
      if (depth === 0) throw new SyntaxError(`a string outside any object or array at ${index}`);
      index = stringEnd(text, index) - 1;
    } else if (char === '{' || char === '[') {
      if (depth++ === 0) start = index;
    } else if (char === '}' || char === ']') {
      if (--depth < 0) throw new SyntaxError(`an unmatched ${char} at ${index}`);
      if (depth === 0) values.push(text.slice(start, index + 1));
    } else if (depth === 0 && !/\s/.test(char)) {
      throw new SyntaxError(`${JSON.stringify(char)} outside any object or array at ${index}`);
    }
  }
  if (depth !== 0) throw new SyntaxError('an object or array is never closed');
  if (values.length === 0) throw new SyntaxError('no JSON value');
  return values;
}
