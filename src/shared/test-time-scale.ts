/**
 * Test-only: divides the waits of envid's renewals by this factor (e.g. 100 turns the 40 s renewal of a
 * 60 s token into 0.4 s), so an end-to-end test exercises the real schedule without waiting: the token
 * file refresher (`envid idp token --refresh`) and how long the Kubernetes exec plugin reuses a cached
 * token. docs/cli.md.
 */
export const timeScaleVariable = 'ENVID_CLI_TEST_TIME_SCALE';

/** The factor from `env`, 1 when unset or not a positive number. */
export function testTimeScale(env: NodeJS.ProcessEnv): number {
  const scale = Number(env[timeScaleVariable]);
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}
