import type { Clock } from '../../core/clock.ts';
import type { InstallationSettings } from '../../store/records.ts';
import type { Store } from '../../store/store.ts';

/** Fixed, so that servers starting together on one database record one row between them. */
export const installationSettingsId = '00000000-0000-4000-8000-000000000010';

/** The environment variable that records this server's settings over the ones on record. */
export const replaceSettingsVariable = 'ENVID_REPLACE_INSTALLATION_SETTINGS';

/** What this server was started with, in the terms recorded. */
export type CurrentSettings = Pick<
  InstallationSettings,
  'issuer' | 'masterKeyId' | 'keyBits' | 'keyRotationDays'
>;

/** The recorded settings differ from this server's: the message says which and how to proceed. */
export class InstallationSettingsMismatch extends Error {
  override readonly name = 'InstallationSettingsMismatch';
}

/**
 * Servers sharing a database act as one issuer only if they agree on the issuer, the master key and the
 * key settings. The first to start records its own; a later one that differs is refused, unless the
 * operator asks (`replace`) to record the new ones. Under a named lock, so that servers starting
 * together record one row and check against it.
 */
export async function ensureInstallationSettings(
  store: Store,
  clock: Clock,
  current: CurrentSettings,
  options: { replace: boolean },
): Promise<'recorded' | 'unchanged' | 'replaced'> {
  return store.transaction(
    async (tx) => {
      const recorded = await tx.installationSettings.find(installationSettingsId);
      const now = clock.now();
      if (!recorded) {
        await tx.installationSettings.insert({
          id: installationSettingsId,
          ...current,
          createdAt: now,
          updatedAt: now,
        });
        return 'recorded';
      }
      const differences = describeDifferences(recorded, current);
      if (differences.length === 0) return 'unchanged';
      if (!options.replace) {
        throw new InstallationSettingsMismatch(
          `this server's settings differ from the ones recorded in the database by the servers that share it:\n` +
            differences.map((line) => `  - ${line}\n`).join('') +
            `Start it with the recorded values, or set ${replaceSettingsVariable}=1 to record this server's ` +
            'deliberately (every other server sharing the database must then be started with them too).',
        );
      }
      await tx.installationSettings.update(installationSettingsId, (row) => ({
        id: row.id,
        ...current,
        createdAt: row.createdAt,
        updatedAt: now,
      }));
      return 'replaced';
    },
    { lock: 'installation-settings' },
  );
}

function describeDifferences(recorded: CurrentSettings, current: CurrentSettings): string[] {
  const lines: string[] = [];
  if (recorded.issuer !== current.issuer) {
    if (current.issuer === undefined) {
      lines.push(
        `issuer (--issuer, ENVID_ISSUER): recorded ${recorded.issuer}, this server has none and would advertise its own address`,
      );
    } else {
      lines.push(
        `issuer (--issuer, ENVID_ISSUER): recorded ${recorded.issuer ?? "none (the first server's own address)"}, this server ${current.issuer}`,
      );
    }
  }
  if (recorded.masterKeyId !== current.masterKeyId) {
    // The key ID is an HMAC of a fixed label under the key: it tells keys apart without revealing them.
    lines.push(
      `master key (ENVID_MASTER_KEY or <data-dir>/master-key): recorded key ID ${recorded.masterKeyId}, this server's ${current.masterKeyId} (the stored signing keys are sealed under the recorded one)`,
    );
  }
  if (recorded.keyBits !== current.keyBits) {
    lines.push(
      `key size (--key-bits, ENVID_KEY_BITS): recorded ${recorded.keyBits}, this server ${current.keyBits}`,
    );
  }
  if (recorded.keyRotationDays !== current.keyRotationDays) {
    lines.push(
      `key rotation period (--key-rotation-days, ENVID_KEY_ROTATION_DAYS): recorded ${recorded.keyRotationDays}, this server ${current.keyRotationDays}`,
    );
  }
  return lines;
}
