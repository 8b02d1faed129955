import { shortTime } from '../output.ts';
import type { ViewName } from './admin-request.ts';
import { labelsText } from './label-flags.ts';

/**
 * Columns of each API object in tables (lists) and as `label: value` lines (one object). `--json` never
 * goes through here: it prints the API's answer.
 */

// biome-ignore lint/suspicious/noExplicitAny: API answers are JSON, shown as far as they go
type Item = any;
export type Column = [label: string, value: (item: Item) => unknown];

const time = (value: unknown) => shortTime(value);
const role = (value: unknown) =>
  String(value ?? '')
    .replace(/^ORGANIZATION_ROLE_/, '')
    .toLowerCase();
const phase = (value: unknown) =>
  String(value ?? '')
    .replace(/^ENVIRONMENT_PHASE_/, '')
    .toLowerCase();
/** `PRINCIPAL_SERVICE_ACCOUNT` + id → `service_account:7a9e…`. */
const principal = (value: Item) =>
  value?.principal
    ? `${String(value.principal)
        .replace(/^PRINCIPAL_/, '')
        .toLowerCase()}:${value.id ?? ''}`
    : '';
/** Git remotes and context URLs of the initializers, comma-separated. */
const initializers = (initializer: Item) =>
  ((initializer?.specs ?? []) as Item[])
    .flatMap((spec) => [
      spec.git?.remoteUri,
      spec.git?.upstreamRemoteUri && `upstream ${spec.git.upstreamRemoteUri}`,
      spec.contextUrl?.url,
    ])
    .filter(Boolean)
    .join(', ');

const credential: Column[] = [
  ['ID', (t) => t.id],
  ['DESCRIPTION', (t) => t.description],
  ['CREATED', (t) => time(t.createdAt)],
  ['EXPIRES', (t) => time(t.expiresAt)],
  ['REVOKED', (t) => time(t.revokedAt)],
];

/** What an audit event says, in a few words: its audiences, its config change or its key. */
function auditSummary(event: Item): string {
  const d = event.details ?? {};
  if (event.kind === 'token.issued') return `aud=${[d.audiences ?? []].flat().join(',')} sub=${d.sub ?? ''}`;
  if (event.kind === 'oidc_config.updated') {
    return `${JSON.stringify(d.before)} -> ${JSON.stringify(d.after)} (${d.subChanges ?? 0} sub changes)`;
  }
  return Object.entries(d)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

const userColumns: Column[] = [
  ['ID', (u) => u.id],
  ['EMAIL', (u) => u.email],
  ['NAME', (u) => u.name],
  ['CREATED', (u) => time(u.createdAt)],
];

export const views: Record<ViewName, Column[]> = {
  organization: [
    ['ID', (o) => o.id],
    ['NAME', (o) => o.name],
    ['CREATED', (o) => time(o.createdAt)],
    ['INVITE DOMAINS', (o) => (o.inviteDomains?.domains ?? []).join(', ')],
  ],
  invite: [
    ['INVITE ID', (i) => i.inviteId],
    ['EXPIRES', (i) => time(i.expiresAt)],
  ],
  inviteSummary: [
    ['ORGANIZATION', (s) => s.organizationId],
    ['NAME', (s) => s.organizationName],
  ],
  member: [
    ['USER ID', (m) => m.userId],
    ['EMAIL', (m) => m.email],
    ['NAME', (m) => m.fullName],
    ['ROLE', (m) => role(m.role)],
    ['SINCE', (m) => time(m.memberSince)],
  ],
  // A user is installation-wide: ListUsers, GetUser and CreateUser answer no organization (its
  // memberships: `envid org members list`). Only the caller's own token is bound to one.
  user: userColumns,
  authenticatedUser: [
    ...userColumns,
    ['ORGANIZATION', (u) => u.organizationId ?? 'none (account-level token)'],
  ],
  serviceAccount: [
    ['ID', (s) => s.id],
    ['NAME', (s) => s.name],
    ['ORGANIZATION', (s) => s.organizationId],
    ['CREATED', (s) => time(s.createdAt)],
  ],
  serviceAccountToken: credential,
  personalAccessToken: [...credential.slice(0, 2), ['USER', (t) => t.userId], ...credential.slice(2)],
  runner: [
    ['ID', (r) => r.runnerId],
    ['NAME', (r) => r.name],
    ['ORGANIZATION', (r) => r.organizationId],
    ['CREATED', (r) => time(r.createdAt)],
  ],
  runnerToken: credential,
  environmentToken: credential,
  project: [
    ['ID', (p) => p.id],
    ['NAME', (p) => p.metadata?.name],
    ['CREATED', (p) => time(p.metadata?.createdAt)],
    ['INITIALIZERS', (p) => initializers(p.initializer)],
    ['LABELS', (p) => labelsText(p.metadata?.labels)],
  ],
  environment: [
    ['ID', (e) => e.id],
    ['PHASE', (e) => phase(e.status?.phase)],
    ['RUNNER', (e) => e.metadata?.runnerId],
    ['PROJECT', (e) => e.metadata?.projectId],
    ['CREATOR', (e) => principal(e.metadata?.creator)],
    ['CREATED', (e) => time(e.metadata?.createdAt)],
    ['INITIALIZERS', (e) => initializers(e.spec?.content?.initializer)],
    ['LABELS', (e) => labelsText(e.metadata?.labels)],
  ],
  signingKey: [
    ['KEY ID', (k) => k.keyId],
    ['STATE', (k) => k.state],
    ['ALGORITHM', (k) => k.algorithm],
    ['PUBLISHED', (k) => time(k.publishedAt)],
    ['ACTIVATED', (k) => time(k.activatedAt)],
    ['RETIRED', (k) => time(k.retiredAt)],
  ],
  ssoConfiguration: [
    ['ID', (c) => c.id],
    ['ISSUER', (c) => c.issuerUrl],
    ['CLIENT ID', (c) => c.clientId],
    [
      'STATE',
      (c) =>
        String(c.state ?? '')
          .replace(/^SSO_CONFIGURATION_STATE_/, '')
          .toLowerCase(),
    ],
    ['E-MAIL DOMAINS', (c) => (c.emailDomains ?? [c.emailDomain].filter(Boolean)).join(', ')],
  ],
  audienceProfile: [
    ['ID', (p) => p.id],
    ['NAME', (p) => p.name],
    ['AUDIENCES', (p) => (p.audiences ?? []).join(', ')],
    ['LIFETIME', (p) => p.lifetimeSeconds],
    ['ALGORITHM', (p) => p.signingAlgorithm],
    ['VERSION', (p) => p.version],
  ],
  auditEvent: [
    ['TIME', (e) => time(e.createdAt)],
    ['KIND', (e) => e.kind],
    ['PRINCIPAL', (e) => principal(e.principal)],
    ['ACTOR', (e) => principal(e.actor)],
    ['DETAILS', auditSummary],
  ],
};

export const cell = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** Rows of a table of `items` in `view`. */
export function tableOf(view: ViewName, items: Item[]): { headers: string[]; rows: string[][] } {
  const columns = views[view];
  return {
    headers: columns.map(([label]) => label),
    rows: items.map((item) => columns.map(([, value]) => cell(value(item)))),
  };
}

/** `label: value` pairs of one object (empty values left out). */
export function fieldsOf(view: ViewName, item: Item): [string, string][] {
  return views[view]
    .map(([label, value]): [string, string] => [label.toLowerCase(), cell(value(item))])
    .filter(([, value]) => value !== '');
}
