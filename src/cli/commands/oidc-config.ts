import type { Command } from 'commander';
import { usageError } from '../../shared/exit-codes.ts';
import { collect, orgBody } from '../admin/flags.ts';
import { type AdminSetup, addAdminCommand, addGroup, orgOption } from './admin-command.ts';

/**
 * --version, --extra-sub-field and --label-claims as the API's `oidcConfig`
 * (`{"v3": {"extraSubFields": [...], "labelClaims": true}}` or `{"v2": {}}`).
 */
export function parseOidcConfigFlags(flags: {
  version?: string;
  extraSubField?: string[];
  labelClaims?: boolean;
}): Record<string, unknown> {
  const version = flags.version?.trim().toLowerCase();
  const fields = flags.extraSubField ?? [];
  if (version === 'v2') {
    if (fields.length > 0) throw usageError('--extra-sub-field is for --version v3; V2 has a fixed sub');
    if (flags.labelClaims) throw usageError('--label-claims is for --version v3; V2 has fixed claims');
    return { v2: {} };
  }
  if (version !== 'v3')
    throw usageError(`invalid --version ${JSON.stringify(flags.version)}: must be v3 or v2`);
  const empty = fields.find((field) => field.trim() === '');
  if (empty !== undefined) throw usageError('--extra-sub-field must not be empty');
  return { v3: { extraSubFields: fields, ...(flags.labelClaims ? { labelClaims: true } : {}) } };
}

const configOptions = (command: Command) =>
  orgOption(command)
    .requiredOption(
      '--version <version>',
      'token format: v3 (flat claims) or v2 (legacy path-shaped sub) (required)',
    )
    .option(
      '--extra-sub-field <field>',
      'with v3: a claim appended to sub, e.g. project_id, environment_initializers.git.remote_uri or project_labels.team; repeatable, in order',
      collect,
    )
    .option('--label-claims', 'with v3: tokens of environments carry project_labels and environment_labels');

/** `envid oidc-config …`: an organization's token format (docs/tokens.md). */
export function registerOidcConfigCommands(program: Command, setup: AdminSetup): void {
  const oidc = addGroup(program, {
    name: 'oidc-config',
    summary: "an organization's token format (sub and claims)",
    description:
      'The token format of an organization: V3 with optional extra sub fields, or V2 (docs/tokens.md). A ' +
      'change that alters the sub of existing principals breaks trust rules written for them, so it needs ' +
      '--confirm-sub-change; `preview` shows what a change would do without making it.',
    examples: [
      'envid oidc-config get',
      'envid oidc-config preview --version v3 --extra-sub-field project_id',
      'envid oidc-config set --version v3 --extra-sub-field project_id --confirm-sub-change',
    ],
  });

  addAdminCommand(
    oidc,
    {
      name: 'get',
      summary: "show an organization's token format",
      description: 'Shows the token format (OrganizationService/GetOIDCConfig).',
      examples: [
        'envid oidc-config get',
        'envid oidc-config get --org 8d0f3c2e-5b7a-4e47-9c59-2f1f3f1a6b10 --json',
      ],
      json: true,
      options: (c) => orgOption(c),
      parse: (_args, flags) => ({
        method: 'OrganizationService/GetOIDCConfig',
        body: orgBody(flags),
        defaultOrganization: 'required',
        output: { kind: 'render', render: 'oidcConfig' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    oidc,
    {
      name: 'set',
      summary: "change an organization's token format (admins)",
      description:
        'Changes the token format (OrganizationService/UpdateOIDCConfig); tokens issued afterwards use it. ' +
        'If it alters the sub of any existing principal it is refused unless --confirm-sub-change (run ' +
        '`envid oidc-config preview` first). Warnings are printed on stderr; the change and an audit event ' +
        'are written together.',
      examples: [
        'envid oidc-config set --version v3 --extra-sub-field project_id --extra-sub-field environment_id --confirm-sub-change',
        'envid oidc-config set --version v3',
        'envid oidc-config set --version v3 --label-claims',
        'envid oidc-config set --version v2 --confirm-sub-change',
      ],
      json: true,
      options: (c) =>
        configOptions(c).option(
          '--confirm-sub-change',
          'apply it even though it alters existing principals’ sub',
        ),
      parse: (_args, flags) => ({
        method: 'OrganizationService/UpdateOIDCConfig',
        body: {
          ...orgBody(flags),
          oidcConfig: parseOidcConfigFlags(flags),
          ...(flags.confirmSubChange ? { confirmSubChange: true } : {}),
        },
        defaultOrganization: 'required',
        output: { kind: 'render', render: 'oidcConfig' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    oidc,
    {
      name: 'preview',
      summary: 'show what a token format change would do, without making it (admins)',
      description:
        'A dry run of `set` (OrganizationService/PreviewOIDCConfig): for each kind of principal the sub and ' +
        'claims a token would carry (from a real principal when there is one), the warnings, and every ' +
        'existing principal whose sub would change (the first 100).',
      examples: [
        'envid oidc-config preview --version v3 --extra-sub-field environment_id',
        'envid oidc-config preview --version v2 --json | jq .subChangeCount',
      ],
      json: true,
      options: (c) =>
        configOptions(c).option(
          '--audience <audience>',
          'show the tokens for this audience: an audience profile may shape them instead (repeatable)',
          collect,
        ),
      parse: (_args, flags) => ({
        method: 'OrganizationService/PreviewOIDCConfig',
        body: {
          ...orgBody(flags),
          oidcConfig: parseOidcConfigFlags(flags),
          ...(flags.audience ? { audience: flags.audience } : {}),
        },
        defaultOrganization: 'required',
        output: { kind: 'render', render: 'oidcPreview' },
        json: flags.json === true,
      }),
    },
    setup,
  );
}
