import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeJwt } from '../../shared/decode-jwt.ts';
import { CliError, ExitCode } from '../../shared/exit-codes.ts';
import { writeFileAtomic } from '../../shared/write-file-atomic.ts';
import type { EnvidConnectionFlags, LoginContext } from '../relying-party.ts';
import { executableFailure, executableSuccess, servesTokenType } from './credential-configuration.ts';

/**
 * `envid idp gcloud-token`: the executable credential source of the `external_account` configuration
 * that `envid idp login gcp` writes. Google's client libraries and gcloud run it with
 * GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE, _TOKEN_TYPE and _OUTPUT_FILE set; it prints Google's executable
 * response (version 1) on stdout and nothing else (google-auth-library reads stderr into the same
 * buffer), writes it to the output file too, and exits 1 with a `success: false` response on failure.
 */
export interface GcloudTokenFlags extends EnvidConnectionFlags {
  audience?: string;
}

/** When the answer stops being reused: a little before the token's `exp`, so a client never sends a dying token. */
export function executableExpirationTime(claims: Record<string, unknown>, nowMs: number): number {
  const exp = typeof claims['exp'] === 'number' ? claims['exp'] : Math.floor(nowMs / 1000) + 300;
  const remaining = exp - Math.floor(nowMs / 1000);
  return exp - Math.max(0, Math.min(300, Math.floor(remaining / 4)));
}

const failureCodes: Record<number, string> = {
  [ExitCode.usage]: 'invalid_request',
  [ExitCode.authentication]: 'unauthenticated',
  [ExitCode.notFound]: 'not_found',
  [ExitCode.unreachable]: 'unavailable',
};

export async function runGcloudToken(flags: GcloudTokenFlags, context: LoginContext): Promise<number> {
  const { env, stdout } = context;
  const respond = (response: Record<string, unknown>) => stdout.write(`${JSON.stringify(response)}\n`);
  try {
    const audience = flags.audience?.trim() || env['GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE']?.trim();
    if (!audience) {
      throw new CliError(
        'no audience: pass --audience or run under a Google client library, which sets GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE',
        ExitCode.usage,
      );
    }
    const tokenType = env['GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE'];
    if (!servesTokenType(tokenType)) {
      throw new CliError(
        `GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE ${tokenType} is not a JWT type; envid gives OIDC JWTs (set subject_token_type to urn:ietf:params:oauth:token-type:jwt)`,
        ExitCode.usage,
      );
    }
    const { token } = await context.freshToken(audience);
    const response = executableSuccess(token, executableExpirationTime(decodeJwt(token).Claims, Date.now()));
    const outputFile = env['GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE'];
    if (outputFile) {
      await mkdir(dirname(outputFile), { recursive: true, mode: 0o700 });
      await writeFileAtomic(outputFile, JSON.stringify(response), 0o600);
    }
    respond(response);
    return ExitCode.ok;
  } catch (error) {
    const code = error instanceof CliError ? (failureCodes[error.exitCode] ?? 'internal') : 'internal';
    respond(executableFailure(code, `envid: ${(error as Error).message}`));
    return error instanceof CliError ? error.exitCode : ExitCode.serverError;
  }
}
