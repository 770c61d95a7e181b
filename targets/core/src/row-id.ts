import { createHash } from 'node:crypto';
import { serializeJson, type JsonRecord } from '@observes/protocol';

/**
 * The root row id of a record of a key-less stream: the first 32 hex digits of the SHA-256 of the stream
 * name and the record's exact JSON. The same record always gets the same id, so child rows link to their
 * parent without a sequence. Identical records share it: see {@link RowIdAssigner} to tell them apart.
 */
export function rootRowId(stream: string, record: JsonRecord): string {
  return createHash('sha256').update(stream).update('\u0000').update(serializeJson(record)).digest('hex').slice(0, 32);
}

/**
 * Gives the records of one batch their root row ids: {@link rootRowId}, with `-<n>` appended for the n-th
 * repeat of an identical record, so identical records stay distinct rows each with its own children.
 */
export class RowIdAssigner {
  private readonly seen = new Map<string, number>();
  constructor(private readonly stream: string) {}

  /** The id of the next record of the batch. */
  next(record: JsonRecord): string {
    const hash = rootRowId(this.stream, record);
    const rank = this.seen.get(hash) ?? 0;
    this.seen.set(hash, rank + 1);
    return rank === 0 ? hash : `${hash}-${rank}`;
  }
}
