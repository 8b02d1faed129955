import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, ExitCode } from '../../shared/exit-codes.ts';
import { describeRefusal, postSsoForm, tokenFrom } from './sso-form-post.ts';

const deviceGrantType = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * `envid login --sso --no-browser` (RFC 8628): asks envid for a device code, prints the address and
 * the user code to open on any device, and polls POST /sso/cli/token at the interval envid names
 * (5 s more after each slow_down) until the sign-in there ends. Answers the personal access token.
 */
export async function deviceSignIn(
  host: string,
  ssoConfigurationId: string,
  stderr: NodeJS.WritableStream,
): Promise<string> {
  const started = await postSsoForm(host, '/sso/device', { ssoConfigurationId });
  const { device_code, user_code, verification_uri, verification_uri_complete, interval, expires_in } =
    started.body;
  if (started.status !== 200 || typeof device_code !== 'string') {
    throw new CliError(`cannot start the sign-in: ${describeRefusal(started)}`, ExitCode.usage);
  }
  stderr.write(
    `To sign in, open ${String(verification_uri)} on any device and enter the code ${String(user_code)}\n` +
      `  (or open ${String(verification_uri_complete)})\nWaiting for the sign-in...\n`,
  );
  let waitSeconds = typeof interval === 'number' && interval > 0 ? interval : 5;
  const deadline = Date.now() + (typeof expires_in === 'number' ? expires_in : 600) * 1000;
  while (Date.now() < deadline) {
    await sleep(waitSeconds * 1000);
    const answer = await postSsoForm(host, '/sso/cli/token', {
      grant_type: deviceGrantType,
      device_code,
    });
    if (answer.body.error === 'authorization_pending') continue;
    if (answer.body.error === 'slow_down') {
      waitSeconds += 5;
      continue;
    }
    return tokenFrom(answer);
  }
  throw new CliError(
    'the code expired before the sign-in was completed; run envid login --sso --no-browser again',
    ExitCode.authentication,
  );
}
