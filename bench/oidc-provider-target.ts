import { join } from 'node:path';
import { type BenchProcess, startProcess } from './child-process.ts';
import { benchClient, benchResource } from './oidc-provider-client.ts';

export interface OidcProviderTarget {
  /** The token endpoint. */
  tokenUrl: string;
  headers: Record<string, string>;
  body: string;
  process: BenchProcess;
}

/** Starts the oidc-provider baseline in its own process (TypeScript through tsx, as the bench runs). */
export async function startOidcProviderTarget(workDir: string): Promise<OidcProviderTarget> {
  const started = await startProcess({
    args: ['--import', 'tsx', join(import.meta.dirname, 'oidc-provider-server.ts')],
    env: { NODE_ENV: 'production' },
    logFile: join(workDir, 'oidc-provider.log'),
    ready: /oidc-provider listening on (http:\/\/\S+)/,
  });
  const basic = Buffer.from(`${benchClient.id}:${benchClient.secret}`).toString('base64');
  return {
    tokenUrl: `${started.match}/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      resource: benchResource,
      scope: 'api:read',
    }).toString(),
    process: started.process,
  };
}
