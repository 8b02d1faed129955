import { CliError, ExitCode, usageError } from '../../shared/exit-codes.ts';
import { shellQuote } from '../../shared/shell-quote.ts';
import { callApi } from '../api-client.ts';
import type { Connection } from '../config/resolve-connection.ts';
import { fetchIdentity } from '../idp/run-whoami.ts';
import { formatFields, formatTable, writeJson, writeSecret, writeSecretWarning } from '../output.ts';
import type { AdminRequest } from './admin-request.ts';
import { renderAnswer } from './render.ts';
import { fieldsOf, tableOf } from './views.ts';

type Stream = Pick<NodeJS.WritableStream, 'write'>;
export interface AdminIo {
  stdout: Stream;
  stderr: Stream;
}
// biome-ignore lint/suspicious/noExplicitAny: API answers are JSON
type Answer = any;

/** Carries out an admin command: fills in the organization, calls the API (every page with --all), prints. */
export async function runAdminRequest(
  connection: Connection,
  request: AdminRequest,
  io: AdminIo,
): Promise<void> {
  const body = await withDefaults(connection, request);
  let answer: Answer = await call(connection, request.method, body);
  if (request.output.kind === 'list' && request.output.all)
    answer = await readAllPages(connection, request.method, body, request.output.key, answer);
  writeAnswer(connection, request, answer, io);
  const { doneWhen } = request;
  if (doneWhen && answer[doneWhen.field] !== true) {
    throw new CliError(
      `${doneWhen.notDone}: ${answer.message ?? 'the server changed nothing'}`,
      ExitCode.notDone,
    );
  }
}

function writeAnswer(connection: Connection, request: AdminRequest, answer: Answer, io: AdminIo): void {
  const { output } = request;

  switch (output.kind) {
    case 'secret': {
      const secret = String(answer[output.field] ?? '');
      const what = secretName(output.what, answer, output.idField);
      if (request.json) {
        writeJson(io.stdout, answer);
        writeSecretWarning(io.stderr, `the JSON on stdout holds the secret of the new ${what}`);
      } else {
        writeSecret(io, secret, `stdout holds the secret of the new ${what}`);
      }
      return;
    }
    case 'export': {
      const host = output.host ?? connection.host;
      io.stdout.write(
        `export ENVID_HOST=${shellQuote(host)}\nexport ENVID_TOKEN=${shellQuote(String(answer[output.field] ?? ''))}\n`,
      );
      writeSecretWarning(
        io.stderr,
        `ENVID_TOKEN on stdout is the secret of the new ${secretName(output.what, answer, output.idField)}`,
      );
      return;
    }
    case 'done':
      io.stdout.write(`${output.message}\n`);
      return;
  }
  if (request.json) {
    writeJson(io.stdout, answer);
    if (output.kind === 'render') renderWarningsOnly(answer, io);
    return;
  }
  switch (output.kind) {
    case 'object':
      io.stdout.write(formatFields(fieldsOf(output.view, (output.key ? answer[output.key] : answer) ?? {})));
      return;
    case 'list': {
      const { headers, rows } = tableOf(output.view, answer[output.key] ?? []);
      io.stdout.write(formatTable(headers, rows));
      const next = answer.pagination?.nextToken;
      if (next) io.stderr.write(`envid: more results: add --page-token ${next} (or --all for every page)\n`);
      return;
    }
    case 'render':
      renderAnswer(output.render, answer, io);
      return;
  }
}

function renderWarningsOnly(answer: Answer, io: AdminIo): void {
  for (const warning of answer.warnings ?? []) {
    io.stderr.write(`envid: warning (${warning.code}): ${warning.message}\n`);
  }
}

/** `a.b` of an answer. */
function pick(answer: Answer, path: string | undefined): unknown {
  if (path === undefined) return undefined;
  return path.split('.').reduce((value, key) => value?.[key], answer);
}

/**
 * The body with the credential's organization when the command needs one and --org was not given, and
 * with the credential's user when the command acts on it.
 */
async function withDefaults(connection: Connection, request: AdminRequest): Promise<Record<string, unknown>> {
  const needsOrganization = request.defaultOrganization && request.body['organizationId'] === undefined;
  if (!needsOrganization && !request.selfUser) return request.body;
  const identity = await fetchIdentity(connection);
  const body = request.selfUser ? { ...request.body, userId: identity.subject?.id } : request.body;
  if (!needsOrganization) return body;
  if (identity.organizationId) return { ...body, organizationId: identity.organizationId };
  if (request.defaultOrganization === 'optional') return body;
  const flag = request.organizationFlag ?? '--org';
  throw usageError(
    `missing ${flag}: the credential from ${connection.tokenSource} belongs to no organization (the installation admin, or a user's account-level token); name the organization with ${flag === '--org' ? '--org ID' : flag}`,
  );
}

async function readAllPages(
  connection: Connection,
  method: string,
  body: Record<string, unknown>,
  key: string,
  first: Answer,
): Promise<Answer> {
  const items: unknown[] = [...(first[key] ?? [])];
  let next: string | undefined = first.pagination?.nextToken;
  const pagination = (body['pagination'] ?? {}) as Record<string, unknown>;
  while (next) {
    const page: Answer = await call(connection, method, {
      ...body,
      pagination: { ...pagination, token: next },
    });
    items.push(...(page[key] ?? []));
    next = page.pagination?.nextToken;
  }
  return { ...first, [key]: items, pagination: {} };
}

/** API fields and the flag that sets them, so that the server's refusals name the flag too. */
const fieldFlags: [field: string, flag: string][] = [
  ['organizationId', '--org'],
  ['userId', '--user'],
  ['inviteId', '<invite-id>'],
  ['inviteDomains', '--invite-domain'],
  ['name', '--name'],
  ['email', '--email'],
  ['description', '--description'],
  ['validFor', '--valid-for'],
  ['expiresAt', '--expires-at'],
  ['spec.machine.class', '--runner'],
  ['projectId', '--project'],
  ['initializer', '--git-remote / --upstream-remote / --context-url'],
  ['spec.content.initializer', '--git-remote / --upstream-remote / --context-url'],
  ['oidcConfig.v3.extraSubFields', '--extra-sub-field'],
  ['oidcConfig.v3.labelClaims', '--label-claims'],
  ['labels', '--label'],
  ['removeLabels', '--remove-label'],
  ['filter.from', '--from'],
  ['filter.to', '--to'],
  ['filter.principalId', '--principal'],
  ['pagination.token', '--page-token'],
];

/** Request fields of the API in the server's messages, and the CLI flag that sends them. */
const requestFlags: [text: string, flag: string][] = [
  ['"confirmSubChange": true', '--confirm-sub-change'],
  ['"force": true', '--force'],
];

async function call(connection: Connection, method: string, body: Record<string, unknown>): Promise<Answer> {
  try {
    return await callApi<Answer>(connection, method, body);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    throw new CliError(withFlagHints(error.message), error.exitCode);
  }
}

/** Adds the flag to a server message naming an API field (`invalid_argument: validFor: …`) or option. */
export function withFlagHints(message: string): string {
  let hinted = message;
  const field = /invalid_argument: ([\w.[\]]+):/.exec(message)?.[1];
  if (field !== undefined) {
    const match = fieldFlags
      .filter(([name]) => field === name || field.startsWith(`${name}.`) || field.startsWith(`${name}[`))
      .sort((a, b) => b[0].length - a[0].length)[0];
    if (match) hinted += ` (set by ${match[1]})`;
  }
  for (const [text, flag] of requestFlags) {
    if (message.includes(text)) hinted += ` (with envid: ${flag})`;
  }
  return hinted;
}

/** `what` with `{id}` replaced by the new credential's ID (or dropped when the answer has none). */
function secretName(what: string, answer: Answer, idField: string | undefined): string {
  return what
    .replace('{id}', String(pick(answer, idField) ?? ''))
    .replace(/ {2,}/g, ' ')
    .replace(/ $/, '');
}
