import { createHash } from 'node:crypto';
import { serializeJson, type JsonRecord } from '@observes/protocol';

/**
 * The root row id of a record of a key-less stream: a hash of the stream and the record's exact JSON,
 * plus the record's rank among identical records of its batch (`0` for the first). The same input
 * always gets the same ids, so child rows link to their parent without a sequence.
 */
export function rootRowId(stream: string, record: JsonRecord, duplicateRank = 0): string {
  const hash = createHash('sha256').update(stream).update('\u0000').update(serializeJson(record)).digest('hex').slice(0, 32);
  return duplicateRank === 0 ? hash : `${hash}-${duplicateRank}`;
}
