import type { Command } from 'commander';
import { usageError } from '../../shared/exit-codes.ts';
import { checkId, collect, nonEmpty, orgBody } from '../admin/flags.ts';
import { type AdminSetup, addAdminCommand, addGroup, orgOption } from './admin-command.ts';
import { addListCommand } from './list-command.ts';
import { parseOidcConfigFlags } from './oidc-config.ts';

/**
 * `envid org profiles …`: an organization's audience profiles (OrganizationService/*AudienceProfile*,
 * docs/tokens.md#audience-profiles). The server validates every value; the CLI only shapes the body.
 */
export function registerOrgProfileCommands(org: Command, setup: AdminSetup): void {
  const profiles = addGroup(org, {
    name: 'profiles',
    summary: 'how tokens for chosen audiences are shaped (sub, lifetime, claims; admins)',
    description:
      'A profile matches audiences exactly or by `*` patterns (most specific wins); audiences no profile ' +
      "matches get the organization's OIDC configuration. See docs/tokens.md#audience-profiles.",
    examples: [
      'envid org profiles create --name azure --audience api://AzureADTokenExchange --version v3',
      'envid org profiles create --name aws --audience sts.amazonaws.com --lifetime 900 --claim project=project_id',
      'envid org profiles list',
    ],
  });
  const settings = (c: Command) =>
    c
      .option('--name <name>', 'the profile’s name: lowercase letters, digits and -')
      .option(
        '--audience <audience>',
        'an audience or a pattern with * (repeatable; replaces the list)',
        collect,
      )
      .option('--version <version>', 'sub format for its tokens: v3 or v2')
      .option('--extra-sub-field <field>', 'with v3: a claim appended to sub (repeatable, in order)', collect)
      .option('--lifetime <seconds>', 'default and longest token lifetime in seconds (60 to 3600)')
      .option('--algorithm <alg>', 'signing algorithm: RS256 or ES256 (not for Azure audiences)')
      .option(
        '--claim <name=field>',
        'an extra claim from a sub field, e.g. project=project_id (repeatable)',
        collect,
      )
      .option('--claim-text <name=text>', 'an extra claim with a fixed text (repeatable)', collect)
      .option('--no-claims', 'remove every extra claim (update)')
      .option(
        '--aws-tag <key=field>',
        'an AWS session tag carrying a sub field, e.g. project_id=project_id (repeatable)',
        collect,
      )
      .option(
        '--aws-transitive-tag <key>',
        'an --aws-tag key STS passes on when roles are chained (repeatable)',
        collect,
      )
      .option('--no-aws-tags', 'remove the AWS session tags (update)')
      .option('--confirm-sub-change', 'apply it even though it may alter existing principals’ sub');

  addAdminCommand(
    profiles,
    {
      name: 'create',
      summary: 'add an audience profile',
      description:
        'Creates an audience profile (OrganizationService/CreateAudienceProfile). One that may alter the ' +
        'sub of existing principals for its audiences is refused unless --confirm-sub-change.',
      examples: [
        'envid org profiles create --name vault --audience "https://vault.*.example.com" --lifetime 600',
      ],
      json: true,
      options: (c) => settings(orgOption(c)),
      parse: (_args, flags) => {
        const body = settingsBody(flags);
        if (body['name'] === undefined) throw usageError('--name is required');
        if (body['audiences'] === undefined) throw usageError('--audience is required (repeatable)');
        return {
          method: 'OrganizationService/CreateAudienceProfile',
          body: { ...orgBody(flags), ...body },
          defaultOrganization: 'required',
          output: { kind: 'object', key: 'audienceProfile', view: 'audienceProfile' },
          json: flags.json === true,
        };
      },
    },
    setup,
  );

  addAdminCommand(
    profiles,
    {
      name: 'get <profile-id>',
      summary: 'show an audience profile',
      description: 'Shows an audience profile (OrganizationService/GetAudienceProfile).',
      examples: ['envid org profiles get 5a0c2f4e-8b1d-4c7a-9e3f-2d6b8a1c4e70 --json'],
      json: true,
      parse: ([id], flags) => ({
        method: 'OrganizationService/GetAudienceProfile',
        body: { audienceProfileId: checkId(id!, '<profile-id>') },
        output: { kind: 'object', key: 'audienceProfile', view: 'audienceProfile' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addListCommand(
    profiles,
    {
      summary: "list an organization's audience profiles",
      description: 'Lists audience profiles (OrganizationService/ListAudienceProfiles).',
      examples: ['envid org profiles list', 'envid org profiles list --json'],
      options: orgOption,
      body: (_args, flags) => orgBody(flags),
      method: 'OrganizationService/ListAudienceProfiles',
      key: 'audienceProfiles',
      view: 'audienceProfile',
      defaultOrganization: 'required',
    },
    setup,
  );

  addAdminCommand(
    profiles,
    {
      name: 'update <profile-id>',
      summary: 'change an audience profile',
      description:
        'Changes the settings given (OrganizationService/UpdateAudienceProfile); --audience, --claim and ' +
        '--claim-text replace their lists. Tokens issued afterwards use the new settings.',
      examples: ['envid org profiles update 5a0c2f4e-8b1d-4c7a-9e3f-2d6b8a1c4e70 --lifetime 300'],
      options: settings,
      parse: ([id], flags) => {
        const body = settingsBody(flags);
        const { confirmSubChange, ...change } = body;
        if (Object.keys(change).length === 0)
          throw usageError('name at least one setting to change (see envid org profiles update --help)');
        const audienceProfileId = checkId(id!, '<profile-id>');
        return {
          method: 'OrganizationService/UpdateAudienceProfile',
          body: { audienceProfileId, ...body },
          output: { kind: 'done', message: `updated audience profile ${audienceProfileId}` },
          json: false,
        };
      },
    },
    setup,
  );

  addAdminCommand(
    profiles,
    {
      name: 'delete <profile-id>',
      summary: 'remove an audience profile',
      description:
        'Deletes an audience profile (OrganizationService/DeleteAudienceProfile): its audiences get the ' +
        "organization's OIDC configuration again (or a less specific profile).",
      examples: ['envid org profiles delete 5a0c2f4e-8b1d-4c7a-9e3f-2d6b8a1c4e70 --confirm-sub-change'],
      options: (c) =>
        c.option('--confirm-sub-change', 'apply it even though it may alter existing principals’ sub'),
      parse: ([id], flags) => {
        const audienceProfileId = checkId(id!, '<profile-id>');
        return {
          method: 'OrganizationService/DeleteAudienceProfile',
          body: { audienceProfileId, ...(flags.confirmSubChange ? { confirmSubChange: true } : {}) },
          output: { kind: 'done', message: `deleted audience profile ${audienceProfileId}` },
          json: false,
        };
      },
    },
    setup,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: commander's option values are untyped
function settingsBody(flags: any): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (flags.name !== undefined) body['name'] = nonEmpty(flags.name, '--name');
  if (flags.audience !== undefined) body['audiences'] = flags.audience;
  if (flags.version !== undefined || flags.extraSubField !== undefined)
    body['oidcConfig'] = parseOidcConfigFlags({
      version: flags.version ?? 'v3',
      extraSubField: flags.extraSubField,
    });
  if (flags.lifetime !== undefined) {
    if (!/^\d+$/.test(flags.lifetime)) throw usageError('--lifetime must be a whole number of seconds');
    body['lifetimeSeconds'] = Number(flags.lifetime);
  }
  if (flags.algorithm !== undefined) body['signingAlgorithm'] = String(flags.algorithm).toUpperCase();
  const fromField = (flags.claim ?? []).map((pair: string) => {
    const [name, from] = splitPair(pair, '--claim');
    return { name, from };
  });
  const fixed = (flags.claimText ?? []).map((pair: string) => {
    const [name, value] = splitPair(pair, '--claim-text');
    return { name, value };
  });
  if (flags.claims === false) {
    if (fromField.length + fixed.length > 0)
      throw usageError('--no-claims excludes --claim and --claim-text');
    body['extraClaims'] = [];
  } else if (fromField.length + fixed.length > 0) body['extraClaims'] = [...fromField, ...fixed];
  const tags = (flags.awsTag ?? []).map((pair: string) => splitPair(pair, '--aws-tag'));
  if (flags.awsTags === false) {
    if (tags.length > 0 || flags.awsTransitiveTag) throw usageError('--no-aws-tags excludes --aws-tag');
    body['awsSessionTags'] = null;
  } else if (tags.length > 0) {
    body['awsSessionTags'] = {
      principalTags: Object.fromEntries(tags),
      transitiveTagKeys: flags.awsTransitiveTag ?? [],
    };
  } else if (flags.awsTransitiveTag) throw usageError('--aws-transitive-tag needs --aws-tag');
  if (flags.confirmSubChange === true) body['confirmSubChange'] = true;
  return body;
}

/** `name=value`, split at the first `=`. */
function splitPair(pair: string, flag: string): [string, string] {
  const at = pair.indexOf('=');
  if (at <= 0 || at === pair.length - 1)
    throw usageError(`${flag} takes <name>=<value>, got ${JSON.stringify(pair)}`);
  return [pair.slice(0, at), pair.slice(at + 1)];
}
