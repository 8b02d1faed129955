import { formatFields, formatTable } from '../output.ts';
import type { RenderName } from './admin-request.ts';
import { cell, tableOf } from './views.ts';

/** Text output of answers that are more than one object or one list (`--json` prints them as they are). */

// biome-ignore lint/suspicious/noExplicitAny: API answers are JSON
type Answer = any;
type Stream = Pick<NodeJS.WritableStream, 'write'>;

/**
 * `{"v3": {"extraSubFields": [...]}}` → `v3, extra sub fields: a, b` (`, label claims` with
 * `labelClaims`); `{"v2": {}}` → `v2`.
 */
export function describeOidcConfig(config: Answer): string {
  if (config?.v2) return 'v2';
  const fields: string[] = config?.v3?.extraSubFields ?? [];
  const labels = config?.v3?.labelClaims ? ', label claims' : '';
  return fields.length > 0
    ? `v3, extra sub fields: ${fields.join(', ')}${labels}`
    : `v3 (no extra sub fields)${labels}`;
}

function writeWarnings(stderr: Stream, warnings: Answer[] | undefined): void {
  for (const warning of warnings ?? [])
    stderr.write(`envid: warning (${warning.code}): ${warning.message}\n`);
}

const renderers: Record<RenderName, (answer: Answer, io: { stdout: Stream; stderr: Stream }) => void> = {
  oidcConfig: (answer, io) => {
    io.stdout.write(formatFields([['token format', describeOidcConfig(answer.oidcConfig)]]));
    writeWarnings(io.stderr, answer.warnings);
  },
  oidcPreview: (answer, io) => {
    io.stdout.write(
      formatFields([
        ['current', describeOidcConfig(answer.currentOidcConfig)],
        ['proposed', describeOidcConfig(answer.oidcConfig)],
        ...(answer.audienceProfile
          ? ([
              [
                'audience profile',
                `${answer.audienceProfile.name} (${describeOidcConfig(answer.audienceProfile.oidcConfig)}): it shapes these audiences' tokens, not the proposed configuration`,
              ],
            ] as [string, string][])
          : []),
      ]),
    );
    const principals: Answer[] = answer.principals ?? [];
    io.stdout.write(
      `\n${formatTable(
        ['PRINCIPAL', 'EXAMPLE', 'ID', 'SUB'],
        principals.map((p) => [p.principal, p.example, p.id, p.sub].map(cell)),
      )}`,
    );
    const count = Number(answer.subChangeCount ?? 0);
    io.stdout.write(
      count === 0
        ? '\nNo existing principal would get a new sub.\n'
        : `\n${count} existing principal(s) would get a new sub${
            answer.confirmSubChangeRequired ? '; `envid oidc-config set` needs --confirm-sub-change' : ''
          }:\n${formatTable(
            ['PRINCIPAL', 'ID', 'BEFORE', 'AFTER'],
            (answer.subChanges ?? []).map((c: Answer) => [c.principal, c.id, c.before, c.after].map(cell)),
          )}`,
    );
    writeWarnings(io.stderr, answer.warnings);
  },
  keyChange: (answer, io) => {
    const decisions: Answer[] = answer.decisions ?? [];
    if (decisions.length > 0) {
      io.stdout.write(
        `${formatTable(
          ['ACTION', 'KEY ID', 'STATE', 'REASON'],
          decisions.map((d) => [d.action, d.keyId, d.state, d.reason].map(cell)),
        )}\n`,
      );
    }
    const { headers, rows } = tableOf('signingKey', answer.keys ?? []);
    io.stdout.write(formatTable(headers, rows));
  },
};

export function renderAnswer(name: RenderName, answer: Answer, io: { stdout: Stream; stderr: Stream }): void {
  renderers[name](answer, io);
}
