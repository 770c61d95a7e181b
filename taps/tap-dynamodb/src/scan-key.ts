import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * A scan position (`LastEvaluatedKey`) as it is kept in the state: DynamoDB JSON with binary key
 * attributes as base64, e.g. `{"pk": {"S": "a"}, "sk": {"N": "12"}}`. Key attributes are only ever
 * `S`, `N` or `B`; numbers stay text, so nothing is rounded.
 */
export type StateKey = Record<string, { S: string } | { N: string } | { B: string }>;

/** A `LastEvaluatedKey` as JSON for the state. */
export function keyToState(key: Record<string, AttributeValue>): StateKey {
  const out: StateKey = {};
  for (const [name, value] of Object.entries(key)) {
    if (value.S !== undefined) out[name] = { S: value.S };
    else if (value.N !== undefined) out[name] = { N: value.N };
    else if (value.B !== undefined) out[name] = { B: Buffer.from(value.B).toString('base64') };
    else throw new TypeError(`key attribute ${JSON.stringify(name)} is not S, N or B`);
  }
  return out;
}

/**
 * The `ExclusiveStartKey` for a key kept in the state.
 * @throws TypeError when the state holds something that is not a key
 */
export function keyFromState(key: unknown): Record<string, AttributeValue> {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new TypeError('last_evaluated_key must be an object');
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(key as Record<string, Record<string, unknown>>)) {
    if (typeof value?.S === 'string') out[name] = { S: value.S };
    else if (typeof value?.N === 'string') out[name] = { N: value.N };
    else if (typeof value?.B === 'string') out[name] = { B: Buffer.from(value.B, 'base64') };
    else throw new TypeError(`last_evaluated_key attribute ${JSON.stringify(name)} must be {"S"|"N"|"B": string}`);
  }
  return out;
}
