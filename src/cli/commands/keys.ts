import type { Command } from 'commander';
import { type SigningAlgorithm, signingAlgorithms } from '../../core/domain/public-jwk.ts';
import { usageError } from '../../shared/exit-codes.ts';
import { type AdminSetup, addAdminCommand, addGroup } from './admin-command.ts';

function parseAlgorithm(value: string): SigningAlgorithm {
  const algorithm = signingAlgorithms.find((known) => known === value);
  if (!algorithm)
    throw usageError(
      `invalid --algorithm ${JSON.stringify(value)}: must be one of ${signingAlgorithms.join(', ')}`,
    );
  return algorithm;
}

/** `envid keys …`: the token signing keys (SigningKeyService, installation admin only). */
export function registerKeysCommands(program: Command, setup: AdminSetup): void {
  const keys = addGroup(program, {
    name: 'keys',
    summary: 'token signing keys: list, rotate, revoke (installation admin)',
    description:
      'The keys that sign ID tokens: the current key signs, the next one is already published in the JWKS, ' +
      'retired ones stay published until tokens they signed have expired (docs/tokens.md#lifecycle). ' +
      'Private keys are never shown.',
    examples: ['envid keys list', 'envid keys rotate', 'envid keys revoke kX3… --yes'],
  });

  addAdminCommand(
    keys,
    {
      name: 'list',
      summary: 'list the signing keys',
      description: 'Lists the signing keys with their state and times (SigningKeyService/ListSigningKeys).',
      examples: [
        'envid keys list',
        'envid keys list --json | jq -r \'.keys[] | select(.state == "current") | .keyId\'',
      ],
      json: true,
      parse: (_args, flags) => ({
        method: 'SigningKeyService/ListSigningKeys',
        body: {},
        output: { kind: 'list', key: 'keys', view: 'signingKey', all: false },
        json: flags.json === true,
      }),
    },
    setup,
  );

  addAdminCommand(
    keys,
    {
      name: 'rotate',
      summary: 'promote the next key now, if relying parties can know it',
      description:
        'Rotates (SigningKeyService/RotateSigningKeys): the next key becomes current if it has been in the ' +
        'JWKS longer than its max-age plus a margin; the current one retires and a new next key is made. ' +
        'Otherwise nothing changes: the keys are listed, and the reason goes to stderr with exit code 6 ' +
        '(--json: the answer, with "rotated": false). Each algorithm has its own keys; --algorithm ES256 ' +
        'rotates the ES256 ones, creating them the first time.',
      examples: [
        'envid keys rotate',
        'envid keys rotate --algorithm ES256',
        'envid keys rotate --json | jq .rotated',
      ],
      json: true,
      options: (c) =>
        c.option(
          '--algorithm <alg>',
          `the keys to rotate: ${signingAlgorithms.join(' or ')} (default RS256)`,
        ),
      parse: (_args, flags) => ({
        method: 'SigningKeyService/RotateSigningKeys',
        body: flags.algorithm === undefined ? {} : { algorithm: parseAlgorithm(flags.algorithm) },
        output: { kind: 'render', render: 'keyChange' },
        json: flags.json === true,
        doneWhen: { field: 'rotated', notDone: 'not rotated' },
      }),
    },
    setup,
  );

  addAdminCommand(
    keys,
    {
      name: 'revoke <key-id>',
      summary: 'emergency: remove a key from the JWKS at once',
      description:
        'Revokes a key (SigningKeyService/RevokeSigningKey): it leaves the JWKS at once, so every token it ' +
        'signed stops verifying, and it never signs again; revoking the current key promotes the next one. ' +
        'Needs --yes.',
      examples: ['envid keys revoke kX3… --yes'],
      json: true,
      options: (c) => c.option('--yes', 'confirm: tokens signed with the key stop verifying at once'),
      parse: ([keyId], flags) => {
        if (keyId!.trim() === '') throw usageError('<key-id> must not be empty (see `envid keys list`)');
        if (flags.yes !== true) {
          throw usageError(`revoking key ${keyId} invalidates every token it signed; add --yes to confirm`);
        }
        return {
          method: 'SigningKeyService/RevokeSigningKey',
          body: { keyId },
          output: { kind: 'render', render: 'keyChange' },
          json: flags.json === true,
        };
      },
    },
    setup,
  );
}
