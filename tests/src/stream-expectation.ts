import type { ProblemCode } from '@observes/protocol';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * An expected stored value, compared by meaning:
 * - a string: byte-for-byte text;
 * - a number or boolean: same number / boolean (numbers also match their decimal text, e.g. `"1"` for `1`);
 * - `null`: null or absent;
 * - `{ decimal }`: the same exact decimal (trailing fraction zeros ignored, never through a double);
 * - `{ instant }`: the same point in time as this ISO date-time (to the millisecond; a stored text without a zone is UTC);
 * - `{ date }`: the calendar date `YYYY-MM-DD`;
 * - `{ time }`: the time of day `HH:MM:SS`, optionally with a fraction.
 */
export type ExpectedValue = string | number | boolean | null | { decimal: string } | { instant: string } | { date: string } | { time: string };

/** Checks on one row of a stream, picked by key columns. */
export interface ValueCheck {
  /** Column → value selecting the row (the stream's key columns, lowercased). */
  where: Record<string, ExpectedValue>;
  /** Root columns of simple top-level fields (lowercased name) → value the row must hold. */
  columns?: Record<string, ExpectedValue>;
  /** Flattened columns (`<field>__<child>`) checked only for flattening targets. */
  flattened?: Record<string, ExpectedValue>;
  /** Values some column of the row must hold, whatever the target named it (for hostile names). */
  anywhere?: ExpectedValue[];
}

/** Row counts of a child table (flattening targets). */
export interface ChildTableExpectation {
  /** Rows once the parent records are merged by key. */
  rows: number;
  /** Rows when every parent record is kept. */
  records: number;
}

/** What one stream of a canonical stream file must leave in the target. */
export interface StreamTableExpectation {
  /** RECORD messages of the stream: the row count of a target that does not merge by key. */
  records: number;
  /** Rows of a target merging by key (distinct keys; every record when the stream has no key). */
  rows: number;
  /** Rows of a target merging by key that also honours ACTIVATE_VERSION, when different from `rows`. */
  activeRows?: number;
  /** Child tables by name (`<stream>__<field>[__<field>…]`), checked for flattening targets. */
  childTables?: Record<string, ChildTableExpectation>;
  /** Checks on specific rows. */
  values?: ValueCheck[];
}

/** The `<name>.expect.json` next to each canonical stream `<name>.jsonl`. */
export interface StreamExpectation {
  /** What the stream exercises. */
  description: string;
  /** For failing streams: the line number the target's error must name (`line N`) and the problem, as the protocol package's `StreamChecker` reports it. */
  error?: { line: number; problem: ProblemCode };
  /** Expected results per stream name, for streams that load. */
  streams?: Record<string, StreamTableExpectation>;
  /** A merging target loading this stream twice must end with the same rows as after once. */
  idempotent?: boolean;
}

/** One canonical stream with its expectation. */
export interface CanonicalStream {
  /** File name without `.jsonl`. */
  name: string;
  /** Absolute path of the `.jsonl` file. */
  path: string;
  /** The file's text (the target's stdin). */
  text: string;
  expectation: StreamExpectation;
}

/** Absolute path of the `tests/streams` directory. */
export const STREAMS_DIR = fileURLToPath(new URL('../streams/', import.meta.url));

/** Loads every canonical stream (sorted by name) with its expectation file. */
export function loadCanonicalStreams(dir = STREAMS_DIR): CanonicalStream[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.jsonl'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.jsonl'.length);
      const path = join(dir, file);
      const expectation = JSON.parse(readFileSync(join(dir, `${name}.expect.json`), 'utf8')) as StreamExpectation;
      return { name, path, text: readFileSync(path, 'utf8'), expectation };
    });
}
