/**
 * Writes SOPS files for the tests, as sops 3 writes them (no sops binary here): each value
 * AES-256-GCM encrypted with a random data key, with its key path as additional data
 * (`NAME:`), a 32-byte IV and the type; the MAC (SHA-512 of the plaintext values, upper-case hex)
 * encrypted with `lastmodified` as additional data; and the data key wrapped for each recipient:
 * age (armored age file of the 32 key bytes) or KMS (an opaque blob from the fake KMS).
 * Format: https://github.com/getsops/sops#encryption-protocol (README, "Encryption Protocol").
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Encrypter, armor } from 'age-encryption';
import { stringify } from 'yaml';

/** A value of a flat SOPS file. */
export type SopsValue = string | number | boolean;

/** Who can open the file. */
export interface SopsRecipients {
  /** age recipients (`age1...`). */
  age?: string[];
  /** KMS keys: the ARN and a function wrapping the data key into a ciphertext blob. */
  kms?: { arn: string; wrap: (dataKey: Buffer) => Buffer }[];
}

function encryptValue(plain: string, type: string, key: Buffer, aad: string): string {
  const iv = randomBytes(32);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${cipher.getAuthTag().toString('base64')},type:${type}]`;
}

const typeOf = (v: SopsValue) => (typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : 'str');
const macBytes = (v: SopsValue) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));

/**
 * The text of a SOPS-encrypted YAML file holding `values` (flat).
 * @param plaintextKeys - keys left unencrypted (sops' `_unencrypted` suffix does this); still in the MAC
 */
export async function encryptSopsYaml(values: Record<string, SopsValue>, recipients: SopsRecipients, plaintextKeys: string[] = []): Promise<string> {
  const dataKey = randomBytes(32);
  const lastmodified = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const digest = createHash('sha512');
  const tree: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    digest.update(macBytes(value));
    tree[name] = plaintextKeys.includes(name) ? value : encryptValue(macBytes(value), typeOf(value), dataKey, `${name}:`);
  }
  const age = [];
  for (const recipient of recipients.age ?? []) {
    const e = new Encrypter();
    e.addRecipient(recipient);
    age.push({ recipient, enc: armor.encode(await e.encrypt(dataKey)) });
  }
  const kms = (recipients.kms ?? []).map((k) => ({ arn: k.arn, created_at: lastmodified, enc: k.wrap(dataKey).toString('base64'), aws_profile: '' }));
  tree.sops = {
    kms: kms.length > 0 ? kms : null,
    age: age.length > 0 ? age : null,
    lastmodified,
    mac: encryptValue(digest.digest('hex').toUpperCase(), 'str', dataKey, lastmodified),
    unencrypted_suffix: '_unencrypted',
    version: '3.9.4',
  };
  return stringify(tree);
}
