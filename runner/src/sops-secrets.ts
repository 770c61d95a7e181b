import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Decrypter, armor } from 'age-encryption';
import { findAllAgeKeys } from 'sops-age';
import { decrypt as decryptWithKms, decryptScalar } from 'sops-decoder';
import { parse as parseYaml } from 'yaml';
import { registerSecret } from '@observes/protocol';
import { CliError } from './cli-error.js';

/**
 * `observes run --secrets <file.sops.yaml>`: a SOPS-encrypted YAML file of environment variables
 * (flat `NAME: value`, the same file infra/ turns into Secrets Manager), decrypted into the
 * environment for local runs and for teams without Secrets Manager.
 *
 * Keys: age (`SOPS_AGE_KEY`, `SOPS_AGE_KEY_FILE`, `SOPS_AGE_KEY_CMD`, sops' `keys.txt`, SSH keys; found
 * by sops-age as sops finds them) or AWS KMS (the usual AWS credentials; sops-decoder). The file's MAC
 * is checked either way, so a value changed, added or removed without the key is refused.
 */

/** The yargs option (declared once: `observes run` and its `--help` read it). */
export const SECRETS_OPTION = {
  secrets: {
    type: 'string',
    array: true,
    describe: 'SOPS-encrypted YAML of NAME: value pairs (age or KMS keys) decrypted into the environment; repeatable',
  },
} as const;

/** The SOPS metadata this reader uses. */
interface SopsMetadata {
  age?: { recipient?: string; enc?: string }[] | null;
  kms?: { arn?: string; enc?: string }[] | null;
  mac?: string;
  lastmodified?: string;
  mac_only_encrypted?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Encrypted strings are the secrets; encrypted numbers and booleans (sops encrypts every value) are
// not registered, or every "true" and "3" in the logs would be masked.
const ENCRYPTED_STRING = /^ENC\[AES256_GCM,.*,type:(str|bytes)\]$/;

/** sops' byte form of a plaintext value in the MAC (Go's formatting of scalars). */
function macBytes(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return value === null || value === undefined ? '' : String(value);
}

/** The data key from the age recipient matching one of the identities found, or undefined. */
async function ageDataKey(sops: SopsMetadata, problems: string[]): Promise<Uint8Array | undefined> {
  const stanzas = (sops.age ?? []).filter((a) => a.enc);
  if (stanzas.length === 0) return undefined;
  let identities: string[];
  try {
    identities = await findAllAgeKeys();
  } catch (error) {
    problems.push(`age: ${(error as Error).message}`);
    return undefined;
  }
  if (identities.length === 0) {
    problems.push('age: no age key found (set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE)');
    return undefined;
  }
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  for (const stanza of stanzas) {
    try {
      return await decrypter.decrypt(armor.decode(stanza.enc!), 'uint8array');
    } catch {
      // Not this recipient: try the next one.
    }
  }
  problems.push(`age: none of the ${identities.length} age key(s) found opens the file (recipients: ${stanzas.map((s) => s.recipient).join(', ')})`);
  return undefined;
}

/** Decrypts a flat tree with its data key, checking the MAC as sops does. */
function decryptFlat(tree: Record<string, unknown>, key: Uint8Array, sops: SopsMetadata): Record<string, unknown> {
  if (sops.mac_only_encrypted) throw new Error('files written with mac_only_encrypted are not supported');
  const digest = createHash('sha512');
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(tree)) {
    const plain = typeof value === 'string' ? decryptScalar(value, key, `${name}:`) : value;
    digest.update(macBytes(plain));
    out[name] = plain;
  }
  if (!sops.mac || !sops.lastmodified) throw new Error('it has no MAC');
  const mac = String(decryptScalar(sops.mac, key, sops.lastmodified));
  if (mac.toUpperCase() !== digest.digest('hex').toUpperCase()) throw new Error('its MAC does not match its values (the file was changed without its key)');
  return out;
}

/**
 * Reads and decrypts a SOPS YAML file of environment variables.
 * @returns the variables, and which of them were encrypted strings (those are the secrets)
 * @throws CliError (exit 2) naming the file and every problem: unreadable, not SOPS, no usable key,
 * a bad MAC, keys that are no variable names, values that are not scalars. Values never appear.
 */
export async function readSopsEnv(file: string): Promise<{ values: Record<string, string>; encrypted: string[] }> {
  let tree: Record<string, unknown>;
  try {
    const parsed: unknown = parseYaml(await readFile(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a YAML mapping');
    tree = parsed as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`--secrets ${file}: cannot read`, 2, { cause: error });
  }
  const sops = tree.sops as SopsMetadata | undefined;
  if (typeof sops !== 'object' || sops === null) throw new CliError(`--secrets ${file}: not a SOPS file (no sops metadata): encrypt it with sops first`);
  const { sops: _metadata, ...data } = tree;
  const problems: string[] = [];
  for (const [name, value] of Object.entries(data)) {
    if (!ENV_NAME.test(name)) problems.push(`key ${JSON.stringify(name)} is not an environment variable name`);
    if (typeof value === 'object' && value !== null) problems.push(`${name}: must be a string, number or boolean (the file is flat NAME: value)`);
  }
  if (problems.length > 0) throw new CliError(`--secrets ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);

  let plain: Record<string, unknown> | undefined;
  try {
    const key = await ageDataKey(sops, problems);
    if (key) plain = decryptFlat(data, key, sops);
    else if ((sops.kms ?? []).length > 0) plain = (await decryptWithKms(tree as never)) as Record<string, unknown>;
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (!plain) {
    if ((sops.kms ?? []).length === 0 && (sops.age ?? []).length === 0) problems.push('it has neither age nor KMS recipients');
    throw new CliError(`--secrets ${file}: cannot decrypt:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const encrypted = Object.entries(data)
    .filter(([, v]) => typeof v === 'string' && ENCRYPTED_STRING.test(v))
    .map(([k]) => k);
  const values = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, String(v)]));
  return { values, encrypted };
}

/**
 * Decrypts each file into `env` (default `process.env`, so the pipelines' `${VAR}` and their
 * programs see the values) and registers every encrypted string as a secret, so it never reaches
 * logs, errors, `--dry-run` or reports. A variable already set in the environment keeps its value
 * (as with dotenv files: what the caller exported wins); later files win over earlier ones.
 * @returns the names set and the names kept from the environment
 */
export async function loadSopsSecrets(files: string[], env: Record<string, string | undefined> = process.env): Promise<{ set: string[]; kept: string[] }> {
  const merged: Record<string, string> = {};
  for (const file of files) {
    const { values, encrypted } = await readSopsEnv(file);
    for (const name of encrypted) registerSecret(values[name]);
    Object.assign(merged, values);
  }
  const set: string[] = [];
  const kept: string[] = [];
  for (const [name, value] of Object.entries(merged)) {
    if (env[name] !== undefined) {
      kept.push(name);
      continue;
    }
    env[name] = value;
    set.push(name);
  }
  return { set, kept };
}
