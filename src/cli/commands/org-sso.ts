import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { usageError } from '../../shared/exit-codes.ts';
import { checkId, collect, nonEmpty, orgBody } from '../admin/flags.ts';
import { type AdminSetup, addAdminCommand, addGroup, orgOption } from './admin-command.ts';
import { addListCommand } from './list-command.ts';

/**
 * `envid org sso …`: an organization's SSO configurations (OrganizationService/*SSOConfiguration*,
 * docs/sso.md). The client secret is read from a file or stdin, never from the command line, where
 * every local user could read it in `ps`.
 */
export function registerOrgSsoCommands(org: Command, setup: AdminSetup): void {
  const sso = addGroup(org, {
    name: 'sso',
    summary: "an organization's sign-in through its OIDC provider (admins)",
    description:
      "Users sign in through the organization's OIDC provider (Entra ID, Okta, Google, Keycloak, …); " +
      'register `<envid issuer>/sso/callback` as its redirect URI. See docs/sso.md.',
    examples: [
      'envid org sso create --issuer https://login.microsoftonline.com/<tenant>/v2.0 --client-id <id> --client-secret-file secret.txt --email-domain acme.com',
      'envid org sso list',
    ],
  });
  const settings = (c: Command) =>
    c
      .option('--client-id <id>', "the client ID of envid's application at the provider")
      .option('--client-secret-file <file>', 'a file holding the client secret (`-`: stdin)')
      .option(
        '--email-domain <domain>',
        'an e-mail domain whose users join by signing in (repeatable)',
        collect,
      )
      .option('--scope <scope>', 'a scope to ask for beyond openid, email and profile (repeatable)', collect)
      .option(
        '--forward-claim <claim>',
        "an ID token claim copied into the user's idp_claims (repeatable)",
        collect,
      )
      .option('--claims-expression <cel>', 'a CEL admission rule over the ID token `claims`')
      .option('--active', 'users may sign in through it (the default for a new one)')
      .option('--inactive', 'users may not sign in through it');

  addAdminCommand(
    sso,
    {
      name: 'create',
      summary: 'connect the organization to an OIDC provider',
      description:
        'Creates an SSO configuration (OrganizationService/CreateSSOConfiguration). envid fetches the ' +
        "issuer's discovery document first: an issuer that is unreachable or names itself differently is refused.",
      examples: [
        'envid org sso create --issuer https://acme.okta.com --client-id 0oa1 --client-secret-file - --email-domain acme.com < secret.txt',
      ],
      json: true,
      options: (c) => settings(orgOption(c).option('--issuer <url>', "the provider's issuer URL (required)")),
      parse: (_args, flags) => {
        const body = settingsBody(flags);
        if (flags.issuer === undefined) throw usageError('--issuer is required: the provider’s issuer URL');
        for (const [flag, field] of [
          ['--client-id', 'clientId'],
          ['--client-secret-file', 'clientSecret'],
          ['--email-domain', 'emailDomain'],
        ] as const) {
          if (body[field] === undefined) throw usageError(`${flag} is required`);
        }
        return {
          method: 'OrganizationService/CreateSSOConfiguration',
          body: { ...orgBody(flags), issuerUrl: nonEmpty(flags.issuer, '--issuer'), ...body },
          defaultOrganization: 'required',
          output: { kind: 'object', key: 'ssoConfiguration', view: 'ssoConfiguration' },
          json: flags.json === true,
        };
      },
    },
    setup,
  );

  addAdminCommand(
    sso,
    {
      name: 'get <sso-configuration-id>',
      summary: 'show an SSO configuration (never its secret)',
      description: 'Shows an SSO configuration (OrganizationService/GetSSOConfiguration).',
      examples: ['envid org sso get 5a0c2f4e-8b1d-4c7a-9e3f-2d6b8a1c4e70 --json'],
      json: true,
      parse: ([id], flags) => ({
        method: 'OrganizationService/GetSSOConfiguration',
        body: { ssoConfigurationId: checkId(id!, '<sso-configuration-id>') },
        output: { kind: 'object', key: 'ssoConfiguration', view: 'ssoConfiguration' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addListCommand(
    sso,
    {
      summary: "list an organization's SSO configurations",
      description: 'Lists SSO configurations (OrganizationService/ListSSOConfigurations).',
      examples: ['envid org sso list', 'envid org sso list --json'],
      options: orgOption,
      body: (_args, flags) => orgBody(flags),
      method: 'OrganizationService/ListSSOConfigurations',
      key: 'ssoConfigurations',
      view: 'ssoConfiguration',
      defaultOrganization: 'required',
    },
    setup,
  );

  addAdminCommand(
    sso,
    {
      name: 'update <sso-configuration-id>',
      summary: 'change an SSO configuration',
      description:
        'Changes the fields given (OrganizationService/UpdateSSOConfiguration); a list flag replaces its list.',
      examples: [
        'envid org sso update 5a0c2f4e-8b1d-4c7a-9e3f-2d6b8a1c4e70 --inactive',
        'envid org sso update 5a0c2f4e-8b1d-4c7a-9e3f-2d6b8a1c4e70 --claims-expression \'"envid-users" in claims.groups\'',
      ],
      options: (c) => settings(c.option('--issuer <url>', "the provider's issuer URL")),
      parse: ([id], flags) => {
        const body = settingsBody(flags);
        if (flags.issuer !== undefined) body['issuerUrl'] = nonEmpty(flags.issuer, '--issuer');
        if (Object.keys(body).length === 0) {
          throw usageError('name at least one field to change (see envid org sso update --help)');
        }
        const ssoConfigurationId = checkId(id!, '<sso-configuration-id>');
        return {
          method: 'OrganizationService/UpdateSSOConfiguration',
          body: { ssoConfigurationId, ...body },
          output: { kind: 'done', message: `updated SSO configuration ${ssoConfigurationId}` },
          json: false,
        };
      },
    },
    setup,
  );

  addAdminCommand(
    sso,
    {
      name: 'delete <sso-configuration-id>',
      summary: 'disconnect the organization from a provider',
      description:
        'Deletes an SSO configuration (OrganizationService/DeleteSSOConfiguration); users who signed in stay.',
      examples: ['envid org sso delete 5a0c2f4e-8b1d-4c7a-9e3f-2d6b8a1c4e70'],
      parse: ([id]) => {
        const ssoConfigurationId = checkId(id!, '<sso-configuration-id>');
        return {
          method: 'OrganizationService/DeleteSSOConfiguration',
          body: { ssoConfigurationId },
          output: { kind: 'done', message: `deleted SSO configuration ${ssoConfigurationId}` },
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
  if (flags.clientId !== undefined) body['clientId'] = nonEmpty(flags.clientId, '--client-id');
  if (flags.clientSecretFile !== undefined) body['clientSecret'] = readSecret(flags.clientSecretFile);
  if (flags.emailDomain !== undefined) {
    body['emailDomain'] = flags.emailDomain[0];
    body['emailDomains'] = flags.emailDomain;
  }
  if (flags.scope !== undefined) body['additionalScopes'] = flags.scope;
  if (flags.forwardClaim !== undefined) body['forwardedClaims'] = flags.forwardClaim;
  if (flags.claimsExpression !== undefined) body['claimsExpression'] = flags.claimsExpression;
  if (flags.active === true && flags.inactive === true)
    throw usageError('--active and --inactive exclude each other');
  if (flags.active === true) body['state'] = 'SSO_CONFIGURATION_STATE_ACTIVE';
  if (flags.inactive === true) body['state'] = 'SSO_CONFIGURATION_STATE_INACTIVE';
  return body;
}

/** The client secret from `file` (`-`: stdin), without its final newline. */
function readSecret(file: string): string {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw usageError(
      `--client-secret-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw usageError(`--client-secret-file: ${file} is empty`);
  return secret;
}
