/**
 * How long an ID token may live, in seconds. A module of its own, without imports, so that the CLI's
 * fast path (`envid idp token`) checks `--lifetime` against the same limits without loading the signer.
 */
export const defaultTokenLifetimeSeconds = 3600;
export const maxTokenLifetimeSeconds = 3600;
export const minTokenLifetimeSeconds = 60;
