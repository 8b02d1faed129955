import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateMasterKey, type MasterKey, parseMasterKey } from '../../core/keys/master-key.ts';
import { ensurePrivateDir } from '../../store/private-dir.ts';

/**
 * The master key that encrypts signing keys at rest: ENVID_MASTER_KEY when set, otherwise the key file
 * `<dataDir>/master-key`, created (mode 0600) on first start. Replicas sharing a PostgreSQL database must
 * share the key: set ENVID_MASTER_KEY on every one of them.
 */
export function loadMasterKey(env: NodeJS.ProcessEnv, dataDir: string): { key: MasterKey; source: string } {
  if (env.ENVID_MASTER_KEY !== undefined && env.ENVID_MASTER_KEY !== '') {
    return { key: parseMasterKey(env.ENVID_MASTER_KEY, 'ENVID_MASTER_KEY'), source: 'ENVID_MASTER_KEY' };
  }
  const file = join(dataDir, 'master-key');
  const source = `the key file ${file}`;
  if (existsSync(file)) return { key: parseMasterKey(readFileSync(file, 'utf8'), source), source };
  ensurePrivateDir(dataDir);
  const { key, text } = generateMasterKey();
  writeFileSync(file, `${text}\n`, { mode: 0o600, flag: 'wx' });
  return { key, source };
}
