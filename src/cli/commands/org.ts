import type { Command } from 'commander';
import { usageError } from '../../shared/exit-codes.ts';
import { checkId, collect, nonEmpty, orgBody, parseRole } from '../admin/flags.ts';
import { type AdminSetup, addAdminCommand, addGroup, orgOption } from './admin-command.ts';
import { addListCommand } from './list-command.ts';
import { registerOrgJoinCommands } from './org-join.ts';
import { registerOrgProfileCommands } from './org-profiles.ts';
import { registerOrgSsoCommands } from './org-sso.ts';

/** `envid org …`: organizations (OrganizationService) and their members. */
export function registerOrgCommands(program: Command, setup: AdminSetup): void {
  const org = addGroup(program, {
    name: 'org',
    aliases: ['organization'],
    summary: 'organizations and their members',
    description:
      'Organizations are the tenants of envid. The installation admin creates, lists and deletes them; a ' +
      "user reads the one its token is bound to, and the organization's admins update it and manage its " +
      'members. Users join by invite (`envid org invite`, `envid org join`) and leave by themselves.',
    examples: [
      'envid org list',
      'envid org create --name Acme --json',
      'envid org invite create',
      'envid org join d2c94c27-3b76-4a42-b88c-95a85e392c68',
    ],
  });

  addAdminCommand(
    org,
    {
      name: 'create',
      summary: 'create an organization (installation admin)',
      description:
        'Creates an organization (OrganizationService/CreateOrganization). New organizations use token ' +
        'format V3 with no extra sub fields (see `envid oidc-config`). Add its first admin with ' +
        '`envid org members add`; others join by invite (`envid org invite create`).',
      examples: [
        'envid org create --name Acme',
        'ORG=$(envid org create --name Acme --json | jq -r .organization.id)',
      ],
      json: true,
      options: (c) => c.requiredOption('--name <name>', 'its name, at most 80 characters (required)'),
      parse: (_args, flags) => ({
        method: 'OrganizationService/CreateOrganization',
        body: { name: nonEmpty(flags.name, '--name') },
        output: { kind: 'object', key: 'organization', view: 'organization' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    org,
    {
      name: 'get [organization-id]',
      summary: 'show an organization',
      description:
        "Shows an organization (OrganizationService/GetOrganization); without an ID, the credential's own.",
      examples: ['envid org get', 'envid org get 8d0f3c2e-5b7a-4e47-9c59-2f1f3f1a6b10 --json'],
      json: true,
      parse: ([id], flags) => ({
        method: 'OrganizationService/GetOrganization',
        body: id !== undefined ? { organizationId: checkId(id, '<organization-id>') } : {},
        defaultOrganization: 'required',
        organizationFlag: '<organization-id>',
        output: { kind: 'object', key: 'organization', view: 'organization' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addListCommand(
    org,
    {
      summary: 'list organizations',
      description:
        'Lists organizations (OrganizationService/ListOrganizations): every one for the installation admin, ' +
        "the token's own for a user.",
      examples: ['envid org list', 'envid org list --all --json | jq -r ".organizations[].id"'],
      method: 'OrganizationService/ListOrganizations',
      key: 'organizations',
      view: 'organization',
    },
    setup,
  );

  addAdminCommand(
    org,
    {
      name: 'delete <organization-id>',
      summary: 'delete an organization and everything in it (installation admin)',
      description:
        'Deletes an organization (OrganizationService/DeleteOrganization) with its memberships, service ' +
        'accounts, runners, projects, environments and credentials; their tokens are refused at once. ' +
        'Users stay. Needs --yes.',
      examples: ['envid org delete 8d0f3c2e-5b7a-4e47-9c59-2f1f3f1a6b10 --yes'],
      options: (c) => c.option('--yes', 'confirm: everything in the organization is deleted'),
      parse: ([id], flags) => {
        const organizationId = checkId(id!, '<organization-id>');
        if (flags.yes !== true) {
          throw usageError(
            `deleting organization ${organizationId} deletes everything in it; add --yes to confirm`,
          );
        }
        return {
          method: 'OrganizationService/DeleteOrganization',
          body: { organizationId },
          output: { kind: 'done', message: `deleted organization ${organizationId}` },
          json: false,
        };
      },
    },
    setup,
  );

  addAdminCommand(
    org,
    {
      name: 'update',
      summary: 'rename an organization or set its invite domains (admins)',
      description:
        'Changes an organization (OrganizationService/UpdateOrganization): its name, and the e-mail domains ' +
        'whose users (with a verified address) may join it by themselves with `envid org join --org`. ' +
        '--invite-domain replaces the list (exact domains, case ignored: list subdomains one by one); ' +
        '--no-invite-domains clears it. Never list a public mail provider: anyone there could join.',
      examples: [
        'envid org update --name "Acme Corp"',
        'envid org update --invite-domain acme.example --invite-domain eu.acme.example',
        'envid org update --no-invite-domains',
      ],
      json: true,
      options: (c) =>
        orgOption(c)
          .option('--name <name>', 'the new name, at most 80 characters')
          .option('--invite-domain <domain>', 'an e-mail domain whose users may join (repeatable)', collect)
          .option('--no-invite-domains', 'let no e-mail domain join by itself'),
      parse: (_args, flags) => {
        const domains: string[] | undefined = flags.inviteDomain;
        // commander sets inviteDomains to false for --no-invite-domains (true otherwise).
        const clear = flags.inviteDomains === false;
        if (clear && domains !== undefined) {
          throw usageError('give --invite-domain or --no-invite-domains, not both');
        }
        const name = nonEmpty(flags.name, '--name');
        if (name === undefined && domains === undefined && !clear) {
          throw usageError('nothing to change: give --name, --invite-domain or --no-invite-domains');
        }
        return {
          method: 'OrganizationService/UpdateOrganization',
          body: {
            ...orgBody(flags),
            ...(name !== undefined ? { name } : {}),
            ...(domains !== undefined || clear ? { inviteDomains: { domains: domains ?? [] } } : {}),
          },
          defaultOrganization: 'required',
          output: { kind: 'object', key: 'organization', view: 'organization' },
          json: flags.json === true,
        };
      },
    },
    setup,
  );

  registerOrgJoinCommands(org, setup);
  registerOrgSsoCommands(org, setup);
  registerOrgProfileCommands(org, setup);

  const members = addGroup(org, {
    name: 'members',
    aliases: ['member'],
    summary: "an organization's members and their roles",
    description:
      'Users are members of organizations with a role: admin (manages the organization) or member ' +
      '(reads it). Users join by invite (`envid org join`); the installation admin adds any user, and the ' +
      'organization admins change roles and remove members.',
    examples: [
      'envid org members list',
      'envid org members add 0b5f6a1e-2c1d-4a8e-9d7b-5f2c8e6a4b31 --role admin',
      'envid org members remove 0b5f6a1e-2c1d-4a8e-9d7b-5f2c8e6a4b31',
    ],
  });

  addListCommand(
    members,
    {
      summary: "list an organization's members",
      description: 'Lists the members with e-mail, name and role (OrganizationService/ListMembers).',
      examples: [
        'envid org members list',
        'envid org members list --org 8d0f3c2e-5b7a-4e47-9c59-2f1f3f1a6b10 --json',
      ],
      options: orgOption,
      body: (_args, flags) => orgBody(flags),
      method: 'OrganizationService/ListMembers',
      key: 'members',
      view: 'member',
      defaultOrganization: 'required',
    },
    setup,
  );

  addAdminCommand(
    members,
    {
      name: 'add <user-id>',
      summary: 'add a user to an organization (installation admin)',
      description:
        'Adds a user (see `envid user create`) to the organization (OrganizationService/AddMember), as a ' +
        'member unless --role admin. The installation admin adds any user, e.g. the first admin of a new ' +
        'organization; an organization admin adds nobody this way (users outside are not found): users ' +
        'join by invite (`envid org invite create`).',
      examples: ['envid org members add 0b5f6a1e-2c1d-4a8e-9d7b-5f2c8e6a4b31 --role admin'],
      json: true,
      options: (c) => orgOption(c).option('--role <role>', 'admin or member (default member)'),
      parse: ([userId], flags) => ({
        method: 'OrganizationService/AddMember',
        body: {
          ...orgBody(flags),
          userId: checkId(userId!, '<user-id>'),
          ...(flags.role !== undefined ? { role: parseRole(flags.role) } : {}),
        },
        defaultOrganization: 'required',
        output: { kind: 'object', key: 'member', view: 'member' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    members,
    {
      name: 'set-role <user-id>',
      summary: "change a member's role",
      description:
        "Changes a member's role (OrganizationService/SetRole); it applies to the user's next request. An " +
        "organization admin cannot demote the organization's last admin.",
      examples: ['envid org members set-role 0b5f6a1e-2c1d-4a8e-9d7b-5f2c8e6a4b31 --role member'],
      options: (c) => orgOption(c).requiredOption('--role <role>', 'admin or member (required)'),
      parse: ([userId], flags) => {
        const id = checkId(userId!, '<user-id>');
        const role = parseRole(flags.role);
        return {
          method: 'OrganizationService/SetRole',
          body: { ...orgBody(flags), userId: id, role },
          defaultOrganization: 'required',
          output: {
            kind: 'done',
            message: `user ${id} is now ${flags.role.toLowerCase().replace(/^organization_role_/, '')}`,
          },
          json: false,
        };
      },
    },
    setup,
  );

  addAdminCommand(
    members,
    {
      name: 'remove <user-id>',
      summary: 'remove a user from an organization',
      description:
        "Removes a member (OrganizationService/RemoveMember). The user's personal access tokens for this " +
        'organization are revoked at once and stay revoked if the user is added back.',
      examples: ['envid org members remove 0b5f6a1e-2c1d-4a8e-9d7b-5f2c8e6a4b31'],
      options: orgOption,
      parse: ([userId], flags) => {
        const id = checkId(userId!, '<user-id>');
        return {
          method: 'OrganizationService/RemoveMember',
          body: { ...orgBody(flags), userId: id },
          defaultOrganization: 'required',
          output: { kind: 'done', message: `removed user ${id} from the organization` },
          json: false,
        };
      },
    },
    setup,
  );
}
