import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { expect } from 'chai';
import { parse, stringify } from 'yaml';
import { redact } from '@observes/protocol';
import { loadSopsSecrets, readSopsEnv } from './sops-secrets.js';
import { FakeKms } from './testing/fake-kms.js';
import { encryptSopsYaml } from './testing/sops-fixture.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/observes.js', import.meta.url));
const TAP = fileURLToPath(new URL('./testing/fixture-tap.js', import.meta.url));
const TARGET = fileURLToPath(new URL('./testing/fixture-target.js', import.meta.url));

const SECRETS = { GITLAB_TOKEN: 'glpat-Zx81-q7Wm-9kLp', REDSHIFT_PASSWORD: 'pa:ss "word\' ü', RETRIES: 3, VERBOSE: false, REGION_unencrypted: 'us-east-1' };

/** Runs `fn` with `vars` in process.env (undefined: unset), restoring it after. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

describe('observes run --secrets (SOPS files the tests encrypt themselves)', () => {
  let dir: string;
  let identity: string;
  let recipient: string;
  // No key from this machine's home (~/.ssh, sops' keys.txt) may take part.
  let noKeys: Record<string, string | undefined>;
  before(async () => {
    identity = await generateIdentity();
    recipient = await identityToRecipient(identity);
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-sops-test-'));
    noKeys = {
      HOME: dir,
      XDG_CONFIG_HOME: dir,
      SOPS_AGE_KEY: undefined,
      SOPS_AGE_KEY_FILE: undefined,
      SOPS_AGE_KEY_CMD: undefined,
      SOPS_AGE_SSH_PRIVATE_KEY_FILE: undefined,
    };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const write = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it('decrypts an age-encrypted file with the key from SOPS_AGE_KEY_FILE; only the encrypted strings become secrets', async () => {
    const file = await write('s.sops.yaml', await encryptSopsYaml(SECRETS, { age: [recipient] }, ['REGION_unencrypted']));
    expect(await import('node:fs/promises').then((f) => f.readFile(file, 'utf8'))).to.not.include('glpat-Zx81');
    const keyFile = await write('keys.txt', `# created by the test\n${identity}\n`);
    const { values, encrypted } = await withEnv({ ...noKeys, SOPS_AGE_KEY_FILE: keyFile }, () => readSopsEnv(file));
    expect(values).to.deep.equal({
      GITLAB_TOKEN: 'glpat-Zx81-q7Wm-9kLp',
      REDSHIFT_PASSWORD: 'pa:ss "word\' ü',
      RETRIES: '3',
      VERBOSE: 'false',
      REGION_unencrypted: 'us-east-1',
    });
    expect(encrypted, 'encrypted strings; not the encrypted number and boolean').to.deep.equal(['GITLAB_TOKEN', 'REDSHIFT_PASSWORD']);

    const env: Record<string, string | undefined> = { GITLAB_TOKEN: 'exported-wins' };
    const result = await withEnv({ ...noKeys, SOPS_AGE_KEY: identity }, () => loadSopsSecrets([file], env));
    expect(result).to.deep.equal({ set: ['REDSHIFT_PASSWORD', 'RETRIES', 'VERBOSE', 'REGION_unencrypted'], kept: ['GITLAB_TOKEN'] });
    expect(env.REDSHIFT_PASSWORD).to.equal('pa:ss "word\' ü');
    expect(redact('token glpat-Zx81-q7Wm-9kLp, password pa:ss "word\' ü, region us-east-1, verbose false')).to.equal(
      'token ***, password ***, region us-east-1, verbose false',
    );
  });

  it('refuses a file changed without its key (MAC), a wrong key, and a file that is not SOPS, never printing a value', async () => {
    const text = await encryptSopsYaml(SECRETS, { age: [recipient] });
    const tree = parse(text) as Record<string, unknown>;
    const withKey = { ...noKeys, SOPS_AGE_KEY: identity };

    const edited = await write('edited.sops.yaml', stringify({ ...tree, GITLAB_TOKEN: 'plaintext-put-in-by-hand' }));
    await withEnv(withKey, () => readSopsEnv(edited)).then(
      () => expect.fail('accepted'),
      (e: Error) =>
        expect(e.message)
          .to.match(/MAC does not match/)
          .and.not.include('plaintext-put-in-by-hand'),
    );
    const { RETRIES: _dropped, ...fewer } = tree;
    const removed = await write('removed.sops.yaml', stringify(fewer));
    await withEnv(withKey, () => readSopsEnv(removed)).then(
      () => expect.fail('accepted'),
      (e: Error) => expect(e.message).to.match(/MAC does not match/),
    );
    const swapped = await write('swapped.sops.yaml', stringify({ ...tree, GITLAB_TOKEN: tree.REDSHIFT_PASSWORD, REDSHIFT_PASSWORD: tree.GITLAB_TOKEN }));
    await withEnv(withKey, () => readSopsEnv(swapped)).then(
      () => expect.fail('accepted'),
      (e: Error) => expect(e.message).to.match(/cannot decrypt/),
    );

    const file = await write('s.sops.yaml', text);
    const other = await generateIdentity();
    const wrong = await withEnv({ ...noKeys, SOPS_AGE_KEY: other }, () => readSopsEnv(file)).catch((e: Error) => e);
    expect((wrong as Error).message)
      .to.match(/none of the 1 age key\(s\) found opens the file/)
      .and.include(recipient)
      .and.not.include(other);
    const none = await withEnv(noKeys, () => readSopsEnv(file)).catch((e: Error) => e);
    expect((none as Error).message).to.match(/cannot decrypt:\n {2}- age: /);

    const plain = await write('plain.yaml', 'GITLAB_TOKEN: x\n');
    await withEnv(withKey, () => readSopsEnv(plain)).then(
      () => expect.fail('accepted'),
      (e: Error) => expect(e.message).to.match(/not a SOPS file/),
    );
    const nested = await write('nested.sops.yaml', stringify({ ...tree, 'not-a-name': 'x', DB: { user: 'u' } }));
    await withEnv(withKey, () => readSopsEnv(nested)).then(
      () => expect.fail('accepted'),
      (e: Error) => expect(e.message).to.include('"not-a-name" is not an environment variable name').and.include('DB: must be a string'),
    );
  });

  it('decrypts a KMS-encrypted file through the AWS SDK (a local KMS)', async () => {
    const kms = await new FakeKms().start();
    try {
      const file = await write(
        'kms.sops.yaml',
        await encryptSopsYaml({ CHECKLY_API_KEY: 'cu_0123456789abcdef' }, { kms: [{ arn: kms.keyArn, wrap: kms.wrap }] }),
      );
      const aws = {
        AWS_ENDPOINT_URL_KMS: kms.url,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
      };
      const { values } = await withEnv({ ...noKeys, ...aws }, () => readSopsEnv(file));
      expect(values).to.deep.equal({ CHECKLY_API_KEY: 'cu_0123456789abcdef' });
      expect(kms.decrypts).to.equal(1);
      const other = new FakeKms(kms.keyArn);
      const foreign = await write('foreign.sops.yaml', await encryptSopsYaml({ X_TOKEN: 'abcdef' }, { kms: [{ arn: kms.keyArn, wrap: other.wrap }] }));
      const error = await withEnv({ ...noKeys, ...aws }, () => readSopsEnv(foreign)).catch((e: Error) => e);
      expect((error as Error).message)
        .to.match(/cannot decrypt/)
        .and.match(/InvalidCiphertext|ciphertext is invalid/i);
    } finally {
      await kms.stop();
    }
  });

  it("end to end: the pipeline sees the values, and --dry-run, logs and the target's output never show them", async () => {
    const secrets = await write('pipeline.sops.yaml', await encryptSopsYaml({ API_VALUE: 'value-from-sops-42', COUNT: 12 }, { age: [recipient] }));
    const out = join(dir, 'out.jsonl');
    const pipeline = await write(
      'p.yaml',
      [
        'name: withsecrets',
        `tap: {command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(TAP)}], config: {count: "\${COUNT}", note: "\${API_VALUE}"}}`,
        `target: {command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(TARGET)}], config: {out: ${JSON.stringify(out)}}}`,
        `state: ${join(dir, 'state.json')}`,
      ].join('\n'),
    );
    const env: Record<string, string | undefined> = { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, SOPS_AGE_KEY: identity };
    delete env.API_VALUE;
    delete env.COUNT;
    const dry = await run(process.execPath, [BIN, 'run', pipeline, '--secrets', secrets, '--dry-run'], { env });
    expect(dry.stdout).to.include('"note":"***"').and.not.include('value-from-sops-42');
    const real = await run(process.execPath, [BIN, 'run', pipeline, '--secrets', secrets], { env });
    expect(`${real.stdout}${real.stderr}`).to.not.include('value-from-sops-42');
    const stateText = await import('node:fs/promises').then((f) => f.readFile(join(dir, 'state.json'), 'utf8'));
    expect((JSON.parse(stateText) as { value: unknown }).value, 'the tap received the decrypted value').to.deep.equal({ bookmarks: { items: { id: 12 } } });
    const missing = await run(process.execPath, [BIN, 'run', pipeline, '--dry-run'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect((missing as { code: number }).code, 'without --secrets the variable is unset').to.equal(2);
  });
});
