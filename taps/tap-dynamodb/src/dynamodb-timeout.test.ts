import { createServer, type Socket } from 'node:net';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { createDynamoClient } from './dynamodb-tap.js';

describe('tap-dynamodb against a server that accepts and never answers', () => {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  before(() => Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test-key-id', AWS_SECRET_ACCESS_KEY: 'test-secret' }));
  after(() => {
    for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('fails with an error naming DynamoDB, the endpoint and the operation, instead of hanging', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = createDynamoClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` }, { connectMs: 300, idleMs: 300 });
    try {
      const error = (await client.send(new DescribeTableCommand({ TableName: 'observes-items' })).catch((e: unknown) => e)) as Error;
      expect(error).to.be.instanceOf(Error);
      expect(error.message).to.match(new RegExp(`^DynamoDB at 127\\.0\\.0\\.1:${port} did not answer DescribeTableCommand .*300 ms requestTimeout`));
      expect(sockets.length, 'the client reached the server').to.be.greaterThan(0);
    } finally {
      client.destroy();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
