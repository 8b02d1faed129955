/**
 * PostgreSQL stores no NUL character (in text or jsonb) and no unpaired UTF-16 surrogate (it is not
 * UTF-8): such a value makes the query fail.
 */
const suspect = /[\0\ud800-\udfff]/;
const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with `text` for the database, or undefined when it can be stored. */
export function textProblem(text: string): string | undefined {
  if (!suspect.test(text)) return undefined;
  if (text.includes('\0')) return 'a NUL character (U+0000)';
  const surrogate = unpairedSurrogate.exec(text)?.[0];
  if (surrogate === undefined) return undefined;
  const code = surrogate.charCodeAt(0).toString(16).toUpperCase();
  return `an unpaired UTF-16 surrogate (U+${code}), which is not valid Unicode`;
}
