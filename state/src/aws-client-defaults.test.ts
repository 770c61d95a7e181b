import { GetObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { setTestAwsCredentials, startSilentServer } from '@observes/testkit/silent-server';
import { createS3Client } from './s3-client.js';

describe('AWS client defaults', () => {
  let restore: () => void;
  before(() => (restore = setTestAwsCredentials()));
  after(() => restore());

  it('fails, naming the endpoint and the operation, when S3 accepts the connection and never answers', async () => {
    const server = await startSilentServer();
    try {
      const client = createS3Client({ endpoint: server.endpoint, region: 'us-east-1', maxAttempts: 1, timeouts: { connectMs: 500, idleMs: 500 } });
      const started = Date.now();
      const error = (await client.send(new GetObjectCommand({ Bucket: 'observes.state', Key: 'k.json' })).catch((e: unknown) => e)) as Error;
      expect(error.message).to.match(
        new RegExp(`^S3 at 127\\.0\\.0\\.1:${server.port} did not answer GetObjectCommand \\(after the SDK's retries\\): .*500 ms requestTimeout`),
      );
      expect(Date.now() - started).to.be.lessThan(5000);
      client.destroy();
    } finally {
      await server.close();
    }
  });
});
