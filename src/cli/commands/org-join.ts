import type { Command } from 'commander';
import { usageError } from '../../shared/exit-codes.ts';
import { checkId, optionalId, orgBody } from '../admin/flags.ts';
import { type AdminSetup, addAdminCommand, addGroup, orgOption } from './admin-command.ts';

/**
 * `envid org invite …`, `envid org join`, `envid org leave`: users join an organization by invite (or by
 * their e-mail domain) and leave it themselves (docs/decisions/0020-organization-invites.md).
 */
export function registerOrgJoinCommands(org: Command, setup: AdminSetup): void {
  const invite = addGroup(org, {
    name: 'invite',
    aliases: ['invites'],
    summary: "an organization's invite (users join with its ID)",
    description:
      'An organization has one live invite: whoever has its ID joins the organization as a member with ' +
      '`envid org join <invite-id>` until it expires (after a week) or an admin creates a new one, which ' +
      'replaces it. Treat the ID as a secret: give it only to the people who should join.',
    examples: ['envid org invite create', 'envid org invite get --json | jq -r .invite.inviteId'],
  });

  const inviteCommand = (name: 'create' | 'get', method: string, summary: string, description: string) =>
    addAdminCommand(
      invite,
      {
        name,
        summary,
        description,
        examples: [
          `envid org invite ${name}`,
          `envid org invite ${name} --org 8d0f3c2e-5b7a-4e47-9c59-2f1f3f1a6b10 --json`,
        ],
        json: true,
        options: orgOption,
        parse: (_args, flags) => ({
          method,
          body: orgBody(flags),
          defaultOrganization: 'required',
          output: { kind: 'object', key: 'invite', view: 'invite' },
          json: flags.json === true,
        }),
      },
      setup,
    );
  inviteCommand(
    'create',
    'OrganizationService/CreateOrganizationInvite',
    'create a new invite, replacing the old one (admins)',
    'Creates a new invite (OrganizationService/CreateOrganizationInvite); the previous one admits nobody ' +
      'from then on. For the organization’s admins and the installation admin.',
  );
  inviteCommand(
    'get',
    'OrganizationService/GetOrganizationInvite',
    'show the live invite, creating one if there is none (admins)',
    'Shows the live invite (OrganizationService/GetOrganizationInvite); an organization without one (or ' +
      'whose invite expired) gets a new one. For the organization’s admins and the installation admin.',
  );

  addAdminCommand(
    invite,
    {
      name: 'summary <invite-id>',
      summary: 'show which organization an invite is for',
      description:
        'Shows the organization an invite lets you join (OrganizationService/GetOrganizationInviteSummary), ' +
        'before joining it. Any user token will do.',
      examples: ['envid org invite summary d2c94c27-3b76-4a42-b88c-95a85e392c68'],
      json: true,
      parse: ([inviteId], flags) => ({
        method: 'OrganizationService/GetOrganizationInviteSummary',
        body: { inviteId: checkId(inviteId!, '<invite-id>') },
        output: { kind: 'object', view: 'inviteSummary' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    org,
    {
      name: 'join [invite-id]',
      summary: 'join an organization by invite, or by your e-mail domain (--org)',
      description:
        'Joins an organization as a member (OrganizationService/JoinOrganization): with an invite ID, or ' +
        'with --org when the organization admits your verified e-mail domain. Any of your tokens will do, ' +
        'an account-level one too; then create a token of the organization with `envid pat create --org`, ' +
        'from your account-level token (a token of another organization makes none for this one).',
      examples: [
        'envid org join d2c94c27-3b76-4a42-b88c-95a85e392c68',
        'envid org join --org 8d0f3c2e-5b7a-4e47-9c59-2f1f3f1a6b10',
      ],
      json: true,
      options: (c) => orgOption(c, 'join this organization by your e-mail domain (instead of an invite)'),
      parse: ([inviteId], flags) => {
        const organizationId = optionalId(flags.org, '--org');
        if ((inviteId === undefined) === (organizationId === undefined)) {
          throw usageError('give an <invite-id> or --org (to join by your e-mail domain), one of them');
        }
        return {
          method: 'OrganizationService/JoinOrganization',
          body: inviteId !== undefined ? { inviteId: checkId(inviteId, '<invite-id>') } : { organizationId },
          output: { kind: 'object', key: 'member', view: 'member' },
          json: flags.json === true,
        };
      },
    },
    setup,
  );

  addAdminCommand(
    org,
    {
      name: 'leave',
      summary: 'leave an organization',
      description:
        'Leaves an organization (OrganizationService/LeaveOrganization): the credential’s own, or --org with ' +
        'an account-level token. Your tokens of that organization are revoked at once, the one you call with ' +
        'included. The last admin cannot leave: make another member admin first.',
      examples: ['envid org leave', 'envid org leave --org 8d0f3c2e-5b7a-4e47-9c59-2f1f3f1a6b10'],
      options: (c) =>
        orgOption(c, "the organization (default: the credential's; required for an account-level token)"),
      parse: (_args, flags) => {
        const body = orgBody(flags);
        return {
          method: 'OrganizationService/LeaveOrganization',
          body,
          selfUser: true,
          output: {
            kind: 'done',
            message: `left ${body.organizationId ? `organization ${body.organizationId}` : 'the organization'}`,
          },
          json: false,
        };
      },
    },
    setup,
  );
}
