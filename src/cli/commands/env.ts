import type { Command } from 'commander';
import { usageError } from '../../shared/exit-codes.ts';
import { checkId, optionalId, orgBody, parseInitializer } from '../admin/flags.ts';
import { labelOption, labelUpdateBody, parseLabelFlags, removeLabelOption } from '../admin/label-flags.ts';
import { normalizeHost } from '../config/resolve-connection.ts';
import { type AdminSetup, addAdminCommand, addGroup, orgHelpForList, orgOption } from './admin-command.ts';
import { addListCommand } from './list-command.ts';
import { initializerOptions } from './project.ts';

const phases = ['running', 'stopped', 'deleted'];

/** `envid env …`: environments (EnvironmentService) and their access tokens. */
export function registerEnvCommands(program: Command, setup: AdminSetup): void {
  const env = addGroup(program, {
    name: 'env',
    aliases: ['environment'],
    summary: 'environments: create, list, stop, start, delete, and their tokens',
    description:
      'An environment runs on a runner, in its creator’s organization, with the initializers it was created ' +
      'with. Its access token lets code inside it ask for ID tokens (`envid idp token`) while it is running; ' +
      'stopping refuses the token, starting accepts it again, deleting revokes it. See docs/runners.md.',
    examples: [
      'envid env create --runner 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --project 0b6f0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
      'envid env list --phase running',
      'eval "$(envid env token e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --export)"',
    ],
  });

  addAdminCommand(
    env,
    {
      name: 'create',
      summary: 'create an environment on a runner',
      description:
        'Creates an environment (EnvironmentService/CreateEnvironment, or CreateEnvironmentFromProject with ' +
        '--project, whose initializers it copies unless initializer flags are given). The credential (a user ' +
        'or service account) becomes its creator.',
      examples: [
        'envid env create --runner 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --project 0b6f0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
        'envid env create --runner 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --git-remote https://github.com/acme/app.git --json',
      ],
      json: true,
      options: (c) =>
        labelOption(
          initializerOptions(
            c
              .requiredOption('--runner <runner-id>', 'the runner that runs it (required)')
              .option('--project <project-id>', 'create it from this project'),
          ).option('--stopped', 'create it stopped (its token is refused until `envid env start`)'),
        ),
      parse: (_args, flags) => {
        const runnerId = checkId(flags.runner, '--runner');
        const projectId = optionalId(flags.project, '--project');
        const initializer = parseInitializer(flags);
        const spec = {
          machine: { class: runnerId },
          ...(initializer ? { content: { initializer } } : {}),
          ...(flags.stopped ? { desiredPhase: 'ENVIRONMENT_PHASE_STOPPED' } : {}),
        };
        const labels = parseLabelFlags(flags.label);
        return {
          method: projectId
            ? 'EnvironmentService/CreateEnvironmentFromProject'
            : 'EnvironmentService/CreateEnvironment',
          body: projectId ? { projectId, spec, ...labels } : { spec, ...labels },
          output: { kind: 'object', key: 'environment', view: 'environment' },
          json: flags.json === true,
        };
      },
    },
    setup,
  );

  addAdminCommand(
    env,
    {
      name: 'get <environment-id>',
      summary: 'show an environment',
      description: 'Shows an environment, its phase and initializers (EnvironmentService/GetEnvironment).',
      examples: [
        'envid env get e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
        'envid env get e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --json | jq -r .environment.status.phase',
      ],
      json: true,
      parse: ([id], flags) => ({
        method: 'EnvironmentService/GetEnvironment',
        body: { environmentId: checkId(id!, '<environment-id>') },
        output: { kind: 'object', key: 'environment', view: 'environment' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    env,
    {
      name: 'update <environment-id>',
      summary: "change an environment's labels",
      description:
        'Sets (adds or replaces) the --label labels and removes the --remove-label ones ' +
        '(EnvironmentService/UpdateEnvironment); other labels stay. Its creator and organization admins ' +
        'only; the change is audited.',
      examples: [
        'envid env update e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --label tier=ci --remove-label legacy',
      ],
      json: true,
      options: (c) => removeLabelOption(labelOption(c)),
      parse: ([id], flags) => ({
        method: 'EnvironmentService/UpdateEnvironment',
        body: { environmentId: checkId(id!, '<environment-id>'), ...labelUpdateBody(flags) },
        output: { kind: 'object', key: 'environment', view: 'environment' },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addListCommand(
    env,
    {
      summary: 'list environments',
      description:
        'Lists environments, deleted ones too (EnvironmentService/ListEnvironments), optionally of one ' +
        'project, runner, creator or phase.',
      examples: [
        'envid env list',
        'envid env list --phase running --runner 5d2a0a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --json',
      ],
      options: (c) =>
        orgOption(c, orgHelpForList)
          .option('--project <project-id>', 'only environments of this project')
          .option('--runner <runner-id>', 'only environments on this runner')
          .option('--creator <id>', 'only environments created by this user or service account')
          .option('--phase <phase>', `only environments in this phase: ${phases.join(', ')}`),
      body: (_args, flags) => {
        const project = optionalId(flags.project, '--project');
        const runner = optionalId(flags.runner, '--runner');
        const creator = optionalId(flags.creator, '--creator');
        const phase = flags.phase === undefined ? undefined : parsePhase(flags.phase);
        const filter = {
          ...(project ? { projectIds: [project] } : {}),
          ...(runner ? { runnerIds: [runner] } : {}),
          ...(creator ? { creatorIds: [creator] } : {}),
          ...(phase ? { statusPhases: [phase] } : {}),
        };
        return { ...orgBody(flags), ...(Object.keys(filter).length > 0 ? { filter } : {}) };
      },
      method: 'EnvironmentService/ListEnvironments',
      key: 'environments',
      view: 'environment',
    },
    setup,
  );

  for (const [verb, done, method, summary, description] of [
    [
      'stop',
      'stopped',
      'StopEnvironment',
      'stop an environment (its tokens are refused)',
      'Stops an environment (EnvironmentService/StopEnvironment): its access tokens are refused from the next request on, until it is started.',
    ],
    [
      'start',
      'started',
      'StartEnvironment',
      'start a stopped environment (its tokens work again)',
      'Starts an environment (EnvironmentService/StartEnvironment): its access tokens are accepted again.',
    ],
    [
      'delete',
      'deleted',
      'DeleteEnvironment',
      'delete an environment for good (its tokens are revoked)',
      'Deletes an environment (EnvironmentService/DeleteEnvironment). Final: every token of it is revoked and it cannot be started or given tokens again.',
    ],
  ] as const) {
    addAdminCommand(
      env,
      {
        name: `${verb} <environment-id>`,
        summary,
        description: `${description} Stopping, starting and deleting twice is harmless.`,
        examples: [`envid env ${verb} e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31`],
        parse: ([id]) => {
          const environmentId = checkId(id!, '<environment-id>');
          return {
            method: `EnvironmentService/${method}`,
            body: { environmentId },
            output: { kind: 'done', message: `${done} environment ${environmentId}` },
            json: false,
          };
        },
      },
      setup,
    );
  }

  addAdminCommand(
    env,
    {
      name: 'token <environment-id>',
      summary: 'create an environment access token (printed once)',
      description:
        'Creates an access token for the environment (EnvironmentService/CreateEnvironmentAccessToken) and ' +
        'prints the secret alone on stdout, once. With --export it prints shell lines instead, `export ' +
        'ENVID_HOST=…` and `export ENVID_TOKEN=…` (single-quoted), for a runner to put into the environment ' +
        'so that `envid idp token` works there (docs/runners.md).',
      examples: [
        'envid env token e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
        'envid env token e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --export > /run/envid/env.sh',
        'envid env token e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --export --export-host https://envid.internal:8443',
      ],
      json: true,
      options: (c) =>
        c
          .option('--export', 'print `export ENVID_HOST=…` and `export ENVID_TOKEN=…` lines for a shell')
          .option(
            '--export-host <url>',
            'with --export: the host the environment reaches envid at (default: --host)',
          ),
      parse: ([id], flags) => {
        const environmentId = checkId(id!, '<environment-id>');
        if (flags.exportHost !== undefined && !flags.export) throw usageError('--export-host needs --export');
        if (flags.export && flags.json)
          throw usageError('--export and --json print different things; give one');
        const what = `access token {id} of environment ${environmentId}`;
        return {
          method: 'EnvironmentService/CreateEnvironmentAccessToken',
          body: { environmentId },
          output: flags.export
            ? {
                kind: 'export',
                field: 'accessToken',
                what,
                idField: 'tokenId',
                ...(flags.exportHost !== undefined ? { host: normalizeHost(flags.exportHost) } : {}),
              }
            : { kind: 'secret', field: 'accessToken', what, idField: 'tokenId' },
          json: flags.json === true,
        };
      },
    },
    setup,
  );

  const tokens = addGroup(env, {
    name: 'tokens',
    summary: "an environment's access tokens: list, revoke",
    description:
      'Environment access tokens (envid_ent_…) are what code inside an environment authenticates with; ' +
      '`envid env token` creates one. Whoever operates the environment (its creator, an admin of its ' +
      'organization, its runner) lists them and revokes one, e.g. a leaked one, without stopping or ' +
      'deleting the environment. Deleting the environment revokes them all.',
    examples: [
      'envid env tokens list e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
      'envid env tokens revoke e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 91c00a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
    ],
  });

  addListCommand(
    tokens,
    {
      name: 'list <environment-id>',
      summary: "list an environment's access tokens (never the secrets)",
      description:
        'Lists an environment’s access tokens, revoked ones too (EnvironmentService/ListEnvironmentAccessTokens).',
      examples: ['envid env tokens list e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 --json'],
      body: ([id]) => ({ environmentId: checkId(id!, '<environment-id>') }),
      method: 'EnvironmentService/ListEnvironmentAccessTokens',
      key: 'tokens',
      view: 'environmentToken',
    },
    setup,
  );

  addAdminCommand(
    tokens,
    {
      name: 'revoke <environment-id> <token-id>',
      summary: 'revoke one access token of an environment',
      description:
        'Revokes one access token of the environment (EnvironmentService/RevokeEnvironmentAccessToken): it ' +
        'is refused from the next request on; the environment and its other tokens are left as they are.',
      examples: [
        'envid env tokens revoke e3a90a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31 91c00a4b-2c1d-4a8e-9d7b-5f2c8e6a4b31',
      ],
      json: true,
      parse: ([environmentId, tokenId], flags) => ({
        method: 'EnvironmentService/RevokeEnvironmentAccessToken',
        body: {
          environmentId: checkId(environmentId!, '<environment-id>'),
          tokenId: checkId(tokenId!, '<token-id>'),
        },
        output: { kind: 'object', key: 'token', view: 'environmentToken' },
        json: flags.json === true,
      }),
    },
    setup,
  );
}

function parsePhase(value: string): string {
  const phase = value
    .trim()
    .toLowerCase()
    .replace(/^environment_phase_/, '');
  if (!phases.includes(phase)) {
    throw usageError(`invalid --phase ${JSON.stringify(value)}: must be one of ${phases.join(', ')}`);
  }
  return `ENVIRONMENT_PHASE_${phase.toUpperCase()}`;
}
