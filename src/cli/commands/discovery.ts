import type { Command } from 'commander';
import type { ExportFlags } from '../discovery/run-export.ts';
import { formatExamples } from './help-examples.ts';

/** `envid discovery …`: the issuer's public documents, for a static host (docs/publishing.md). */
export function registerDiscoveryCommands(program: Command): void {
  const discovery = program
    .command('discovery')
    .summary("the issuer's public documents, for static hosting")
    .description(
      'The discovery document and the JWKS are public and all that relying parties fetch from the issuer: ' +
        'published as static files (object store, CDN, nginx) the issuer can be served without exposing envid.',
    )
    .addHelpText('after', formatExamples(['envid discovery export --from http://127.0.0.1:8080 --out site']));

  discovery
    .command('export')
    .summary('write the discovery document and JWKS as static files')
    .description(
      'Fetches .well-known/openid-configuration from the envid at --from and the JWKS it names, and writes ' +
        'both under --out at their paths under the issuer (mode 0644, each replaced atomically). The issuer ' +
        'must be https and not a loopback address (start envid serve with --issuer set to the static host), ' +
        'and equal to --issuer when given. With --watch it polls every --interval seconds (If-None-Match) ' +
        'and rewrites the files whenever the keys change, until SIGINT/SIGTERM; upload the directory after ' +
        'each change (docs/publishing.md): a next key is in the JWKS 600 s before it signs.',
    )
    .requiredOption('--from <url>', "the envid server's URL (it need not be public)")
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .option('--issuer <url>', "refuse unless the server's issuer is exactly this URL (where --out is served)")
    .option('--watch', 'keep polling and rewrite the files on every key change')
    .option('--interval <seconds>', 'with --watch: seconds between polls, 0.1-300 [30]')
    .addHelpText(
      'after',
      formatExamples([
        'envid discovery export --from http://127.0.0.1:8080 --out site',
        'envid discovery export --from http://envid.internal:8080 --out site --issuer https://id.example.com --watch',
      ]),
    )
    .action(async (flags: ExportFlags) => {
      const { runDiscoveryExport } = await import('../discovery/run-export.ts');
      await runDiscoveryExport(flags);
    });
}
