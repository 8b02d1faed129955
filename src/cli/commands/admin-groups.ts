import type { Command } from 'commander';
import { type AdminSetup, defaultSetup } from './admin-command.ts';
import { registerAuditCommands } from './audit.ts';
import { registerEnvCommands } from './env.ts';
import { registerKeysCommands } from './keys.ts';
import { registerOidcConfigCommands } from './oidc-config.ts';
import { registerOrgCommands } from './org.ts';
import { registerPatCommands } from './pat.ts';
import { registerProjectCommands } from './project.ts';
import { registerRunnerCommands } from './runner.ts';
import { registerServiceAccountCommands } from './service-account.ts';
import { registerUserCommands } from './user.ts';

/** Every admin command group, covering the whole API (docs/cli.md). */
export function registerAdminGroups(program: Command, setup: AdminSetup = defaultSetup): void {
  registerOrgCommands(program, setup);
  registerUserCommands(program, setup);
  registerPatCommands(program, setup);
  registerServiceAccountCommands(program, setup);
  registerRunnerCommands(program, setup);
  registerProjectCommands(program, setup);
  registerEnvCommands(program, setup);
  registerOidcConfigCommands(program, setup);
  registerKeysCommands(program, setup);
  registerAuditCommands(program, setup);
}
