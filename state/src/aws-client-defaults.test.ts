import { createServer, type Socket } from 'node:net';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createS3Client } from './s3-client.js';

describe('AWS client defaults', () => {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  before(() => Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test-key-id', AWS_SECRET_ACCESS_KEY: 'test-secret' }));
  after(() => {
    for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('fails, naming the endpoint and the operation, when S3 accepts the connection and never answers', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const client = createS3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', maxAttempts: 1, timeouts: { connectMs: 500, idleMs: 500 } });
      const started = Date.now();
      const error = (await client.send(new GetObjectCommand({ Bucket: 'observes.state', Key: 'k.json' })).catch((e: unknown) => e)) as Error;
      expect(error.message).to.match(new RegExp(`^S3 at 127\\.0\\.0\\.1:${port} did not answer GetObjectCommand \\(after the SDK's retries\\): .*500 ms requestTimeout`));
      expect(Date.now() - started).to.be.lessThan(5000);
      client.destroy();
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
