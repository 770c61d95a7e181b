import { CreateTableCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { startDynalite, type DynaliteServer } from './dynalite-server.js';

describe('startDynalite', () => {
  let dynamo: DynaliteServer;
  before(async () => {
    dynamo = await startDynalite();
  });
  after(() => dynamo.stop());

  it('creates a table, puts items and scans them back, numbers as exact text', async () => {
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: 'things',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const big = '12345678901234567890123456789012345678';
    await dynamo.client.send(new PutItemCommand({ TableName: 'things', Item: { id: { S: 'a' }, n: { N: big } } }));
    await dynamo.client.send(new PutItemCommand({ TableName: 'things', Item: { id: { S: 'b' }, n: { N: '1.5' } } }));
    const scan = await dynamo.client.send(new ScanCommand({ TableName: 'things' }));
    const items = (scan.Items ?? []).map((item) => [item.id.S, item.n.N]).sort();
    expect(items).to.deep.equal([
      ['a', big],
      ['b', '1.5'],
    ]);
  });
});
