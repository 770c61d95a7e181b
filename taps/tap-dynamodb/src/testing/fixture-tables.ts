import { BatchWriteItemCommand, CreateTableCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import pLimit from 'p-limit';

/** A test table: its key and how many items it gets. */
export interface FixtureTable {
  /** `orders` (hash `pk` S, range `sk` N), `customers` (hash `id` N) or `blobs` (hash `key` B). */
  name: string;
  /** Items to write: item `i` is {@link fixtureItem}(name, i). */
  items: number;
}

/** The tables tests load into dynalite: 20,000 items with every attribute type. */
export const FIXTURE_TABLES: FixtureTable[] = [
  { name: 'orders', items: 12_000 },
  { name: 'customers', items: 6_000 },
  { name: 'blobs', items: 2_000 },
];

/** A 38-digit integer that differs per item: a double would round it. */
export function bigNumber(i: number): string {
  return `${i % 2 ? '-' : ''}9876543210987654321098765432109876${String(i % 10_000).padStart(4, '0')}`;
}

/** A decimal with 38 significant digits. */
export function bigDecimal(i: number): string {
  return `1234567890123456789.${String(i % 10_000).padStart(4, '0')}567890123456789`;
}

/** Item `i` of `table`, deterministic, covering S, N (38 digits), B, BOOL, NULL, SS, NS, BS, M and L. */
export function fixtureItem(table: string, i: number): Record<string, AttributeValue> {
  const bytes = Buffer.from([i & 0xff, (i >> 8) & 0xff, 0, 255, 128]);
  if (table === 'blobs') return { key: { B: Buffer.concat([Buffer.from('blob-'), bytes]) }, size: { N: String(i * 3) }, data: { B: bytes } };
  if (table === 'customers') {
    return {
      id: { N: String(i) },
      name: { S: `customer ${i} ñ 💡` },
      vip: { BOOL: i % 7 === 0 },
      balance: { N: bigDecimal(i) },
      ...(i % 5 === 0 ? { closed_at: { S: `2024-01-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z` } } : {}),
    };
  }
  return {
    pk: { S: `cust-${i % 500}` },
    sk: { N: String(i) },
    amount: { N: bigNumber(i) },
    paid: { BOOL: i % 2 === 0 },
    note: i % 3 === 0 ? { NULL: true } : { S: `note ${i}` },
    tags: { SS: [`t${i % 4}`, 'all'] },
    scores: { NS: [String(i % 10), '2.5', bigNumber(i + 1)] },
    chunks: { BS: [bytes, Buffer.from('x')] },
    raw: { B: bytes },
    shipping: {
      M: {
        address: { M: { city: { S: `city ${i % 13}` }, zip: { N: String(10000 + (i % 90000)) } } },
        lines: { L: [{ M: { sku: { S: `sku-${i % 97}` }, qty: { N: String((i % 5) + 1) } } }, { M: { sku: { S: 'gift' }, qty: { N: '0.5' } } }] },
        flags: { L: [{ BOOL: true }, { NULL: true }, { S: 'fragile' }] },
      },
    },
  };
}

/** Creates the fixture tables in dynalite and writes their items with BatchWriteItem (25 per request, several at once). */
export async function loadFixtureTables(client: DynamoDBClient, tables: FixtureTable[] = FIXTURE_TABLES): Promise<void> {
  for (const { name } of tables) {
    const key =
      name === 'orders'
        ? {
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' as const },
              { AttributeName: 'sk', KeyType: 'RANGE' as const },
            ],
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' as const },
              { AttributeName: 'sk', AttributeType: 'N' as const },
            ],
          }
        : name === 'customers'
          ? { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'N' as const }] }
          : { KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' as const }], AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'B' as const }] };
    await client.send(new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', ...key }));
  }
  const limit = pLimit(8);
  const batches: Promise<void>[] = [];
  for (const { name, items } of tables) {
    for (let start = 0; start < items; start += 25) {
      const requests: { PutRequest: { Item: Record<string, AttributeValue> } }[] = [];
      for (let i = start; i < Math.min(items, start + 25); i++) requests.push({ PutRequest: { Item: fixtureItem(name, i) } });
      batches.push(
        limit(async () => {
          let pending: typeof requests | undefined = requests;
          while (pending && pending.length > 0) {
            const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [name]: pending } }));
            pending = result.UnprocessedItems?.[name] as typeof requests | undefined;
          }
        }),
      );
    }
  }
  await Promise.all(batches);
}
