import type { FlagSpec } from '../flag-spec.ts';

/** The flags of `envid idp token` (besides --host and --token). */
export const tokenFlags: readonly FlagSpec[] = [
  {
    name: 'audience',
    value: '<audience>',
    multiple: true,
    description: 'audience (aud) of the token; repeat for several (required)',
  },
  {
    name: 'lifetime',
    value: '<duration>',
    description: 'token lifetime, 60s to 1h, e.g. 15m or 900s (default: the server’s, 1h)',
  },
  {
    name: 'decode',
    optionalValue: '[format]',
    description:
      'print the decoded token instead of the JWT (not verified): as Ona\'s CLI prints it, {"Claims": …, "Header": [{"KeyID": …}]}; --decode=jose: {"Header": {"alg": …}, "Claims": …}',
  },
  {
    name: 'output-file',
    value: '<path>',
    description: 'write the token to this file (mode 0600, atomically) instead of stdout',
  },
  { name: 'refresh', description: 'with --output-file: keep renewing the file before the token expires' },
  { name: 'background', description: 'with --refresh: renew in a detached process and return at once' },
  {
    name: 'pid-file',
    value: '<path>',
    description: 'with --background: where to write the pid (default <output-file>.pid)',
  },
];
