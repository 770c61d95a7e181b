import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ExactNumber, type SchemaMessage } from '@observes/protocol';
import { startS3Server, type S3Server } from '@observes/testkit/s3-server';
import { openSchemaCache, type SchemaCache } from './schema-cache.js';
import { inferSchema } from './schema-inference.js';

const message: SchemaMessage = {
  type: 'SCHEMA',
  stream: 'orders/eu',
  schema: inferSchema([{ id: new ExactNumber('12345678901234567890123456789012345678'), at: '2024-01-01T00:00:00Z', tags: ['a'] }]),
  key_properties: ['id'],
};

function roundTrips(open: () => SchemaCache): void {
  it('reads back exactly the SCHEMA message it wrote, and replaces it on a new write', async () => {
    const cache = open();
    expect(await cache.read('orders/eu')).to.equal(undefined);
    await cache.write(message);
    expect(await cache.read('orders/eu')).to.deep.equal(message);
    const changed = { ...message, key_properties: [] };
    await cache.write(changed);
    expect(await cache.read('orders/eu')).to.deep.equal(changed);
    expect(await cache.read('orders')).to.equal(undefined);
  });
}

describe('schema cache', () => {
  describe('file://', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'schema-cache-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    roundTrips(() => openSchemaCache(`file://${dir}`));

    it('keeps one readable JSON file per stream, named safely', async () => {
      const cache = openSchemaCache(dir);
      await cache.write(message);
      expect(cache.location('orders/eu')).to.equal(`file://${dir}/orders%2Feu.json`);
      expect(JSON.parse(readFileSync(join(dir, 'orders%2Feu.json'), 'utf8'))).to.deep.equal(message);
    });

    it('names the entry when it holds something else than a SCHEMA message', async () => {
      const cache = openSchemaCache(dir);
      await cache.write({ ...message, stream: 'other' });
      // An entry copied under the wrong name must not be taken for another stream's schema.
      const { renameSync } = await import('node:fs');
      renameSync(join(dir, 'other.json'), join(dir, 'wrong.json'));
      let error: Error | undefined;
      await cache.read('wrong').catch((e: Error) => (error = e));
      expect(error?.message).to.match(/wrong\.json is for stream "other", expected "wrong"/);
    });

    it('refuses unknown URL schemes', () => {
      expect(() => openSchemaCache('http://example.com/cache/')).to.throw(/must start with s3:\/\/ or file:\/\//);
    });
  });

  describe('s3:// (local S3 server)', () => {
    let server: S3Server;
    before(async () => {
      server = await startS3Server({ buckets: ['observes.cache'] });
    });
    after(async () => server?.stop());

    roundTrips(() => openSchemaCache('s3://observes.cache/dynamodb', { s3Client: server.client }));

    it('builds its own client from an endpoint (credentials from the environment)', async () => {
      const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
      process.env.AWS_ACCESS_KEY_ID = server.s3Config.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = server.s3Config.secretAccessKey;
      try {
        const cache = openSchemaCache('s3://observes.cache/other/', { endpoint: server.endpoint });
        expect(cache.location('x')).to.equal('s3://observes.cache/other/x.json');
        await cache.write({ ...message, stream: 'x' });
        expect((await cache.read('x'))?.key_properties).to.deep.equal(['id']);
      } finally {
        for (const [name, value] of [
          ['AWS_ACCESS_KEY_ID', saved.id],
          ['AWS_SECRET_ACCESS_KEY', saved.secret],
        ] as const) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }
    });
  });
});
