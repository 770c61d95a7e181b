/**
 * A local stand-in for AWS KMS's `Decrypt` (JSON 1.1 protocol, `X-Amz-Target: TrentService.Decrypt`,
 * body `{CiphertextBlob, EncryptionContext}` → `{KeyId, Plaintext, EncryptionAlgorithm}`; an unknown
 * blob answers 400 `InvalidCiphertextException`), per the KMS API reference's Decrypt page. Blobs
 * are made by {@link FakeKms.wrap}: AES-GCM under a key only this process knows, so a blob the fake
 * did not make cannot be opened. Point the AWS SDK at it with `AWS_ENDPOINT_URL_KMS`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakeKms {
  private readonly master = randomBytes(32);
  private server?: Server;
  /** Decrypt calls answered. */
  decrypts = 0;
  /** The URL to give as `AWS_ENDPOINT_URL_KMS`. */
  url = '';

  constructor(readonly keyArn = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000') {}

  /** A ciphertext blob of `plaintext` for this fake's key. */
  wrap = (plaintext: Buffer): Buffer => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.master, iv);
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]);
  };

  private unwrap(blob: Buffer): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.master, blob.subarray(0, 12));
    decipher.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        };
        if (req.headers['x-amz-target'] !== 'TrentService.Decrypt')
          return answer(400, { __type: 'UnsupportedOperationException', message: `not faked: ${req.headers['x-amz-target']}` });
        try {
          const { CiphertextBlob } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { CiphertextBlob: string };
          const plaintext = this.unwrap(Buffer.from(CiphertextBlob, 'base64'));
          this.decrypts++;
          answer(200, { KeyId: this.keyArn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
        } catch {
          answer(400, { __type: 'InvalidCiphertextException', message: 'The ciphertext is invalid' });
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
