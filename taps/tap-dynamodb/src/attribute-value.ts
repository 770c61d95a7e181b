import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type ExactNumber, parseNumberToken, type JsonRecord } from '@observes/protocol';

const DYNAMO_NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A DynamoDB number (`N`, up to 38 significant digits, sent as text) as a JSON number: a `number` when
 * a double holds it exactly, else an {@link ExactNumber} with every digit. Text DynamoDB accepts but JSON
 * does not (`+5`, `.5`, `5.`, `007`) is normalised without changing the value.
 * @throws TypeError when the text is not a number
 */
export function parseDynamoNumber(text: string): number | ExactNumber {
  const m = DYNAMO_NUMBER.exec(text);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) throw new TypeError(`not a DynamoDB number: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction, exponent] = m;
  const json = `${sign === '-' ? '-' : ''}${whole.replace(/^0+(?=\d)/, '') || '0'}${fraction ? `.${fraction}` : ''}${exponent !== undefined ? `e${exponent}` : ''}`;
  return parseNumberToken(json);
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * One DynamoDB AttributeValue as JSON, without loss: `S` string, `N` number (exact, see
 * {@link parseDynamoNumber}), `B` base64 string, `BOOL` boolean, `NULL` null, `SS`/`NS`/`BS` arrays of
 * strings, numbers and base64 strings, `M` object, `L` array.
 * @throws TypeError on an attribute of a type this version does not know
 */
export function attributeToJson(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return parseDynamoNumber(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return itemToRecord(value.M);
  if (value.L !== undefined) return value.L.map(attributeToJson);
  if (value.B !== undefined) return base64(value.B);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(parseDynamoNumber);
  if (value.BS !== undefined) return value.BS.map(base64);
  throw new TypeError(`unknown DynamoDB attribute type: ${Object.keys(value).join(', ')}`);
}

/** A DynamoDB item (attribute name → AttributeValue) as a JSON record. */
export function itemToRecord(item: Record<string, AttributeValue>): JsonRecord {
  const record: JsonRecord = {};
  for (const name in item) record[name] = attributeToJson(item[name]);
  return record;
}
