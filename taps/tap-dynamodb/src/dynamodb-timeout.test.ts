import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { setTestAwsCredentials, startSilentServer } from '@observes/testkit/silent-server';
import { createDynamoClient } from './dynamodb-tap.js';

describe('tap-dynamodb against a server that accepts and never answers', () => {
  let restore: () => void;
  before(() => (restore = setTestAwsCredentials()));
  after(() => restore());

  it('fails with an error naming DynamoDB, the endpoint and the operation, instead of hanging', async () => {
    const server = await startSilentServer();
    const client = createDynamoClient({ region: 'us-east-1', endpoint: server.endpoint }, { connectMs: 300, idleMs: 300 });
    try {
      const error = (await client.send(new DescribeTableCommand({ TableName: 'observes-items' })).catch((e: unknown) => e)) as Error;
      expect(error).to.be.instanceOf(Error);
      expect(error.message).to.match(new RegExp(`^DynamoDB at 127\\.0\\.0\\.1:${server.port} did not answer DescribeTableCommand .*300 ms requestTimeout`));
      expect(server.connections(), 'the client reached the server').to.be.greaterThan(0);
    } finally {
      client.destroy();
      await server.close();
    }
  });
});
