import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import { generateSecret, hashSecret, secretKind } from '../core/credentials.ts';
import { AlreadyExistsError } from '../store/errors.ts';
import { ensurePrivateDir } from '../store/private-dir.ts';
import type { Store } from '../store/store.ts';

/** Fixed, so that replicas starting together on one database create one bootstrap credential between them. */
export const bootstrapCredentialId = '00000000-0000-4000-8000-000000000001';

export interface BootstrapResult {
  /** The secret, when this start created it from a generated value (print it once). */
  generatedSecret?: string;
  /** Where the generated secret was written. */
  writtenTo?: string;
}

/**
 * A fresh installation gets one installation-admin credential: ENVID_BOOTSTRAP_TOKEN when set, otherwise
 * a generated one written to `<dataDir>/bootstrap-token` (mode 0600). Later starts change nothing.
 */
export async function ensureBootstrapCredential(
  store: Store,
  clock: Clock,
  options: { token?: string; dataDir?: string },
): Promise<BootstrapResult> {
  if (await store.credentials.find(bootstrapCredentialId)) return {};
  if (options.token !== undefined && secretKind(options.token) !== 'installation_admin') {
    throw new Error(
      'ENVID_BOOTSTRAP_TOKEN must be "envid_adm_" followed by 32 to 200 characters of A-Z, a-z, 0-9, "_" or "-"',
    );
  }
  const secret = options.token ?? generateSecret('installation_admin');
  try {
    await store.credentials.insert({
      id: bootstrapCredentialId,
      principalKind: 'installation_admin',
      secretHash: hashSecret(secret),
      description: 'bootstrap installation admin',
      createdAt: clock.now(),
    });
  } catch (error) {
    if (error instanceof AlreadyExistsError) return {}; // another replica bootstrapped first
    throw error;
  }
  if (options.token !== undefined) return {};
  if (!options.dataDir) return { generatedSecret: secret };
  ensurePrivateDir(options.dataDir);
  const file = join(options.dataDir, 'bootstrap-token');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { generatedSecret: secret, writtenTo: file };
}
