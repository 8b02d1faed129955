/**
 * How every admin command prints: `--json` writes the API's answer as indented JSON (stable: the API's
 * field names, docs/api.md); otherwise aligned tables for lists and `label: value` lines for one
 * object. Secrets go to stdout alone, with the warning on stderr, so `$(...)` captures only the secret.
 */

type Stream = Pick<NodeJS.WritableStream, 'write'>;

export function writeJson(stdout: Stream, value: unknown): void {
  stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to their widest cell, two spaces apart; no trailing spaces. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return `${[headers, ...rows].map(line).join('\n')}\n`;
}

/** `label: value` lines with the values aligned. */
export function formatFields(fields: [string, string][]): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length + 1));
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`.trimEnd()).join('\n') + '\n';
}

/** The secret alone on stdout; what it is and the warning on stderr. */
export function writeSecret(io: { stdout: Stream; stderr: Stream }, secret: string, what: string): void {
  io.stdout.write(`${secret}\n`);
  writeSecretWarning(io.stderr, what);
}

export function writeSecretWarning(stderr: Stream, what: string): void {
  stderr.write(`envid: ${what}: store it now; it cannot be shown again\n`);
}

/** RFC 3339 times without milliseconds, for tables: `2026-11-01T09:30:00Z`. */
export function shortTime(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\.\d+Z$/, 'Z') : '';
}
