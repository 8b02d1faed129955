import { mkdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../shared/write-file-atomic.ts';

/** `AWS_CONFIG_FILE` (a leading `~/` is the home directory), else `~/.aws/config`, as the SDKs read it. */
export function awsConfigPath(env: NodeJS.ProcessEnv): string {
  return expandHome(env['AWS_CONFIG_FILE'], env) ?? join(home(env), '.aws', 'config');
}

/** `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`. */
export function awsCredentialsPath(env: NodeJS.ProcessEnv): string {
  return expandHome(env['AWS_SHARED_CREDENTIALS_FILE'], env) ?? join(home(env), '.aws', 'credentials');
}

/**
 * Keys that would make the SDKs take credentials from somewhere else than our credential_process, so
 * the login removes them from its profile (and only from its profile).
 */
export const competingProfileKeys = [
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'role_arn',
  'source_profile',
  'credential_source',
  'web_identity_token_file',
  'role_session_name',
  'sso_session',
  'sso_start_url',
  'sso_region',
  'sso_account_id',
  'sso_role_name',
];

/** The section header of `profile` in the config file: `[default]` or `[profile name]`. */
export function configSectionName(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`;
}

/**
 * `content` with `profile`'s section holding `values` (replaced in place or appended), without
 * `removeKeys`; every other line, comment and section kept as it was.
 */
export function setProfileValues(
  content: string,
  profile: string,
  values: Record<string, string>,
  removeKeys: readonly string[],
): string {
  const lines = content === '' ? [] : content.replace(/\n$/, '').split('\n');
  const isOurs = (header: string) =>
    header === configSectionName(profile) || (profile === 'default' && header === 'profile default');
  const out: string[] = [];
  const pending = new Map(Object.entries(values));
  let inOurs = false;
  let sawOurs = false;
  let skippingContinuation = false;
  const flush = () => {
    // New keys go after the section's last non-blank line.
    let at = out.length;
    while (at > 0 && out[at - 1]!.trim() === '') at--;
    out.splice(at, 0, ...[...pending].map(([key, value]) => `${key} = ${value}`));
    pending.clear();
  };
  for (const line of lines) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
    if (header) {
      if (inOurs) flush();
      inOurs = isOurs(header[1]!.replace(/\s+/g, ' '));
      sawOurs ||= inOurs;
      skippingContinuation = false;
      out.push(line);
      continue;
    }
    if (!inOurs) {
      out.push(line);
      continue;
    }
    if (skippingContinuation && /^\s+\S/.test(line)) continue;
    skippingContinuation = false;
    const key = /^([^=\s#;][^=]*?)\s*=/.exec(line)?.[1]?.toLowerCase();
    if (key !== undefined && (removeKeys.includes(key) || key in values)) {
      // Nested values (`s3 =` followed by indented lines) belong to the key: drop them with it.
      skippingContinuation = true;
      if (pending.has(key)) {
        out.push(`${key} = ${pending.get(key)}`);
        pending.delete(key);
      }
      continue;
    }
    out.push(line);
  }
  if (inOurs) flush();
  if (!sawOurs) {
    if (out.length > 0 && out[out.length - 1]!.trim() !== '') out.push('');
    out.push(`[${configSectionName(profile)}]`, ...Object.entries(values).map(([k, v]) => `${k} = ${v}`));
  }
  return `${out.join('\n')}\n`;
}

/** Whether the shared credentials file holds static keys for `profile` (they win over the config file). */
export function hasStaticKeys(credentialsContent: string, profile: string): boolean {
  let inProfile = false;
  for (const line of credentialsContent.split('\n')) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
    if (header) inProfile = header[1] === profile;
    else if (inProfile && /^\s*aws_access_key_id\s*=/.test(line)) return true;
  }
  return false;
}

/** Reads, edits and writes the config file atomically, keeping its mode (new files: 0600 in a 0700 dir). */
export async function updateAwsConfig(
  path: string,
  profile: string,
  values: Record<string, string>,
): Promise<void> {
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const mode = existing === undefined ? 0o600 : (await stat(path)).mode & 0o777;
  if (existing === undefined) await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const removeKeys = [...competingProfileKeys, 'credential_process'].filter((key) => !(key in values));
  await writeFileAtomic(path, setProfileValues(existing ?? '', profile, values, removeKeys), mode);
}

function home(env: NodeJS.ProcessEnv): string {
  return env['HOME'] || homedir();
}

function expandHome(value: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (!value) return undefined;
  return value.startsWith('~/') ? join(home(env), value.slice(2)) : value;
}
