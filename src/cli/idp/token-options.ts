import { parseTokenLifetime } from '../../shared/duration.ts';
import { usageError } from '../../shared/exit-codes.ts';

/** The flags of `envid idp token` as commander hands them over. */
export interface TokenFlags {
  audience?: string[];
  lifetime?: string;
  decode?: boolean | string;
  outputFile?: string;
  refresh?: boolean;
  background?: boolean;
  pidFile?: string;
}

export type TokenOutput =
  | { kind: 'stdout'; decode: DecodeShape | false }
  | { kind: 'file'; path: string; refresh: false }
  | { kind: 'file'; path: string; refresh: true; background: boolean; pidFile: string; logFile: string };

/** `--decode` (or `--decode=ona`): what Ona's CLI prints; `--decode=jose`: the JOSE header and the claims. */
export type DecodeShape = 'ona' | 'jose';

export interface TokenOptions {
  audiences: string[];
  lifetimeSeconds?: number;
  output: TokenOutput;
}

/** Checks the flags' combination and values; the server checks the audiences' content again. */
export function parseTokenOptions(flags: TokenFlags): TokenOptions {
  const audiences = [...new Set(flags.audience ?? [])];
  if (audiences.length === 0) {
    throw usageError(
      'missing --audience: name the relying party the token is for, e.g. --audience sts.amazonaws.com (repeat it for several)',
    );
  }
  for (const audience of audiences) {
    if (audience === '' || /\s/.test(audience)) {
      throw usageError(
        `invalid --audience ${JSON.stringify(audience)}: must be non-empty and without whitespace`,
      );
    }
  }
  const lifetimeSeconds =
    flags.lifetime !== undefined ? parseTokenLifetime(flags.lifetime, '--lifetime') : undefined;
  const base = { audiences, ...(lifetimeSeconds !== undefined ? { lifetimeSeconds } : {}) };
  if (flags.outputFile === undefined) {
    for (const flag of ['refresh', 'background', 'pidFile'] as const) {
      if (flags[flag]) throw usageError(`${flagName(flag)} needs --output-file PATH`);
    }
    return { ...base, output: { kind: 'stdout', decode: decodeShape(flags.decode) } };
  }
  if (flags.decode !== undefined && flags.decode !== false)
    throw usageError('--decode prints to stdout; it cannot be combined with --output-file');
  if (flags.outputFile === '') throw usageError('--output-file must name a file');
  if (!flags.refresh) {
    if (flags.background || flags.pidFile) {
      throw usageError(`${flags.background ? '--background' : '--pid-file'} needs --refresh`);
    }
    return { ...base, output: { kind: 'file', path: flags.outputFile, refresh: false } };
  }
  return {
    ...base,
    output: {
      kind: 'file',
      path: flags.outputFile,
      refresh: true,
      background: flags.background === true,
      pidFile: flags.pidFile ?? `${flags.outputFile}.pid`,
      logFile: `${flags.outputFile}.log`,
    },
  };
}

function decodeShape(decode: boolean | string | undefined): DecodeShape | false {
  if (decode === undefined || decode === false) return false;
  if (decode === true || decode === 'ona') return 'ona';
  if (decode === 'jose') return 'jose';
  throw usageError(
    `invalid --decode value ${JSON.stringify(decode)}: use --decode (what Ona's CLI prints) or --decode=jose (the JOSE header and claims)`,
  );
}

function flagName(key: 'refresh' | 'background' | 'pidFile'): string {
  return key === 'pidFile' ? '--pid-file' : `--${key}`;
}
