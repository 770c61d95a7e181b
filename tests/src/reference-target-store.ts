/**
 * The file format of the reference target: `<dir>/<stream>.json` holds an array of stored rows.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonLossless, type JsonRecord } from '@observes/protocol';

/** A stored row with the version it came with. */
export interface StoredRow {
  key: string | undefined;
  version: number | undefined;
  record: JsonRecord;
}

/** Reads a stream's stored rows ([] when the stream was never committed). */
export function readStoredRows(dir: string, stream: string): StoredRow[] {
  try {
    return parseJsonLossless(readFileSync(join(dir, `${stream}.json`), 'utf8')) as StoredRow[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Reads the records a stream's file holds ([] when the stream was never committed). */
export function readReferenceRows(dir: string, stream: string): JsonRecord[] {
  return readStoredRows(dir, stream).map((row) => row.record);
}
