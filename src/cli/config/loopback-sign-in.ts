import { createHash, randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { CliError, ExitCode } from '../../shared/exit-codes.ts';
import { openBrowser } from './open-browser.ts';
import { postSsoForm, tokenFrom } from './sso-form-post.ts';

/** How long `envid login --sso` waits for the browser to come back. */
const waitMs = 5 * 60 * 1000;

function answerBrowser(response: ServerResponse, status: number, text: string) {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  response.end(`${text}\n`);
}

/**
 * `envid login --sso` in the browser (RFC 8252): a listener on 127.0.0.1, port 0, takes the browser's
 * redirect back from envid's /sso/start with a one-time code, which POST /sso/cli/token redeems with
 * this process's PKCE verifier. Answers the personal access token.
 */
export async function loopbackSignIn(
  host: string,
  ssoConfigurationId: string,
  env: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream,
): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  let settle: (outcome: { code: string } | { error: CliError }) => void = () => {};
  const outcome = new Promise<{ code: string } | { error: CliError }>((resolve) => {
    settle = resolve;
  });
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url.pathname !== '/callback')
      return answerBrowser(response, 404, 'Not found.');
    // Anything could call a loopback port: only the redirect carrying this sign-in's state counts.
    if (url.searchParams.get('state') !== state) {
      return answerBrowser(response, 400, 'This is not the sign-in envid login started; start it again.');
    }
    const error = url.searchParams.get('error');
    if (error) {
      const reason = `${error}: ${url.searchParams.get('error_description') ?? ''}`.slice(0, 600);
      answerBrowser(response, 403, `Sign-in refused: ${reason}`);
      return settle({ error: new CliError(`sign-in refused: ${reason}`, ExitCode.authentication) });
    }
    const code = url.searchParams.get('code');
    if (!code) return answerBrowser(response, 400, 'The redirect carries no code; start again.');
    answerBrowser(response, 200, 'Signed in. You can close this tab and go back to your terminal.');
    settle({ code });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const start = new URL(`${host}/sso/start`);
  start.search = new URLSearchParams({
    ssoConfigurationId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  }).toString();
  const timer = setTimeout(
    () =>
      settle({
        error: new CliError(
          `no sign-in came back within ${waitMs / 60_000} minutes; run envid login --sso again`,
          ExitCode.authentication,
        ),
      }),
    waitMs,
  );
  try {
    stderr.write(`Opening your browser to sign in. If it does not open, visit:\n  ${start.href}\n`);
    openBrowser(start.href, env);
    const result = await outcome;
    if ('error' in result) throw result.error;
    return tokenFrom(
      await postSsoForm(host, '/sso/cli/token', {
        grant_type: 'authorization_code',
        code: result.code,
        code_verifier: verifier,
        redirect_uri: redirectUri,
      }),
    );
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  }
}
