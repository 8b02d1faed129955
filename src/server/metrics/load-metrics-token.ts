import { readFileSync } from 'node:fs';

const minLength = 16;
const maxLength = 4096;
const tokenShape = /^[\x21-\x7e]+$/;

/**
 * The metrics token from `--metrics-token-file`: the file's contents, without the trailing newline an
 * editor leaves. Errors name the setting and the file, never the contents.
 */
export function loadMetricsToken(path: string): string {
  const setting = '--metrics-token-file (ENVID_METRICS_TOKEN_FILE)';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${setting}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const token = text.replace(/\r?\n$/, '');
  if (token.length < minLength || token.length > maxLength || !tokenShape.test(token)) {
    throw new Error(
      `${setting}: ${path} must hold one token of ${minLength} to ${maxLength} printable characters, without spaces (e.g. openssl rand -hex 32)`,
    );
  }
  return token;
}
