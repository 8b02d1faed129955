import type { Command } from 'commander';
import { type ServeFlags, serveSettings } from '../../shared/serve-settings.ts';
import { formatExamples } from './help-examples.ts';

export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .summary('run the envid server')
    .description(
      'Runs the envid server. By default it keeps its data in an embedded database in --data-dir;\n' +
        'with --database-url it uses a PostgreSQL server, so several replicas can share one database.\n' +
        'Every flag can also be set by the environment variable shown.',
    );
  for (const setting of serveSettings) {
    command.option(`${setting.flag} <${setting.value}>`, `${setting.description} (env ${setting.env})`);
  }
  command.addHelpText(
    'after',
    formatExamples([
      'envid serve',
      'envid serve --port 9000 --data-dir /var/lib/envid',
      'ENVID_DATABASE_URL=postgres://envid@db/envid envid serve --host 0.0.0.0',
    ]),
  );
  command.action(async (flags: ServeFlags) => {
    const { runServer } = await import('../../server/run-server.ts');
    await runServer(flags, process.env);
  });
}
