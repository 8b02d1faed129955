import { usageError } from '../../shared/exit-codes.ts';

/**
 * Checks and conversions shared by the admin commands' flags. Each error names the flag or argument and
 * what is allowed, before anything is sent.
 */

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A lower-case UUID (IDs in envid are); upper case is folded. */
export function checkId(value: string, name: string): string {
  const id = value.trim().toLowerCase();
  if (!uuidPattern.test(id)) {
    throw usageError(
      `invalid ${name} ${JSON.stringify(value)}: expected an ID such as 8d0f3c2e-5b7a-4e47-9c59-2f1f3f1a6b10`,
    );
  }
  return id;
}

export const optionalId = (value: string | undefined, name: string) =>
  value === undefined ? undefined : checkId(value, name);

/** Drops undefined values, so that bodies only carry what was given. */
export function defined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw usageError(`${flag} must not be empty`);
  return value;
}

export interface PageFlags {
  pageSize?: string;
  pageToken?: string;
  all?: boolean;
}

/** `--page-size`, `--page-token`, `--all` as the API's `pagination` (and whether to read every page). */
export function parsePageFlags(flags: PageFlags): {
  pagination?: { pageSize?: number; token?: string };
  all: boolean;
} {
  const all = flags.all === true;
  if (all && flags.pageToken !== undefined)
    throw usageError('--all reads every page; it cannot be combined with --page-token');
  let pageSize: number | undefined;
  if (flags.pageSize !== undefined) {
    pageSize = Number(flags.pageSize);
    if (!/^\d+$/.test(flags.pageSize) || pageSize < 1 || pageSize > 100) {
      throw usageError(
        `invalid --page-size ${JSON.stringify(flags.pageSize)}: must be a whole number from 1 to 100`,
      );
    }
  }
  if (all) pageSize ??= 100;
  const pagination = defined({ pageSize, token: nonEmpty(flags.pageToken, '--page-token') });
  return Object.keys(pagination).length > 0 ? { pagination, all } : { all };
}

/** `admin` / `member` (or the API's names) as ORGANIZATION_ROLE_*. */
export function parseRole(value: string): string {
  const role = value
    .trim()
    .toLowerCase()
    .replace(/^organization_role_/, '');
  if (role !== 'admin' && role !== 'member') {
    throw usageError(`invalid --role ${JSON.stringify(value)}: must be admin or member`);
  }
  return `ORGANIZATION_ROLE_${role.toUpperCase()}`;
}

const unitSeconds = { w: 604_800, d: 86_400, h: 3600, m: 60, s: 1 } as const;

/** `90d`, `12h`, `1w2d`, `3600s` or plain seconds as the API's Duration JSON, e.g. `"7776000s"`. */
export function parseValidFor(value: string, flag: string): string {
  const text = value.trim();
  const parts = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text);
  if (!parts || text === '') {
    throw usageError(
      `invalid ${flag} ${JSON.stringify(value)}: expected a duration such as 90d, 12h, 1w or 3600s`,
    );
  }
  const [, w, d, h, m, s] = parts.map((part) => Number(part ?? 0));
  const seconds = w! * unitSeconds.w + d! * unitSeconds.d + h! * unitSeconds.h + m! * unitSeconds.m + s!;
  if (seconds <= 0) throw usageError(`invalid ${flag} ${JSON.stringify(value)}: must be longer than zero`);
  return `${seconds}s`;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export function parseTime(value: string, flag: string): string {
  if (!rfc3339.test(value) || Number.isNaN(new Date(value).getTime())) {
    throw usageError(
      `invalid ${flag} ${JSON.stringify(value)}: expected an RFC 3339 time such as 2026-11-01T09:30:00Z`,
    );
  }
  return value;
}

/** `--valid-for` or `--expires-at` (not both) as the API's `validFor` / `expiresAt`. */
export function parseExpiry(flags: { validFor?: string; expiresAt?: string }): {
  validFor?: string;
  expiresAt?: string;
} {
  if (flags.validFor !== undefined && flags.expiresAt !== undefined) {
    throw usageError('give --valid-for or --expires-at, not both');
  }
  if (flags.validFor !== undefined) return { validFor: parseValidFor(flags.validFor, '--valid-for') };
  if (flags.expiresAt !== undefined) return { expiresAt: parseTime(flags.expiresAt, '--expires-at') };
  return {};
}

export interface InitializerFlags {
  gitRemote?: string[];
  upstreamRemote?: string[];
  contextUrl?: string[];
}

/**
 * The API's `initializer` from repeatable flags: spec i has the i-th --git-remote (with the i-th
 * --upstream-remote) and the i-th --context-url. Undefined when none is given.
 */
export function parseInitializer(flags: InitializerFlags): { specs: Record<string, unknown>[] } | undefined {
  const remotes = flags.gitRemote ?? [];
  const upstreams = flags.upstreamRemote ?? [];
  const urls = flags.contextUrl ?? [];
  if (upstreams.length > remotes.length) {
    throw usageError(
      'each --upstream-remote belongs to a --git-remote: give at least as many --git-remote flags',
    );
  }
  for (const [flag, values] of [
    ['--git-remote', remotes],
    ['--upstream-remote', upstreams],
  ] as const) {
    const bad = values.find((value) => value === '' || /\s/.test(value));
    if (bad !== undefined)
      throw usageError(`invalid ${flag} ${JSON.stringify(bad)}: must be non-empty, without whitespace`);
  }
  const badUrl = urls.find((url) => !/^https?:\/\/\S+$/.test(url) || !URL.canParse(url));
  if (badUrl !== undefined)
    throw usageError(`invalid --context-url ${JSON.stringify(badUrl)}: must be an http or https URL`);
  const count = Math.max(remotes.length, urls.length);
  if (count === 0) return undefined;
  if (count > 10)
    throw usageError('at most 10 initializers: give at most 10 --git-remote / --context-url flags');
  const specs = Array.from({ length: count }, (_, i) =>
    defined({
      git:
        remotes[i] !== undefined
          ? defined({ remoteUri: remotes[i], upstreamRemoteUri: upstreams[i] })
          : undefined,
      contextUrl: urls[i] !== undefined ? { url: urls[i] } : undefined,
    }),
  );
  return { specs };
}

export const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `{organizationId}` from --org, or nothing (the server, or the credential's organization, decides). */
export function orgBody(flags: { org?: string }): { organizationId?: string } {
  const organizationId = optionalId(flags.org, '--org');
  return organizationId !== undefined ? { organizationId } : {};
}
