import type { StateOrigin, StateRecord } from './state-json.js';
import type { HeldLock, LockInfo, LockRequest } from './state-lock.js';

/** One earlier value of a state, as {@link StateStore.history} lists it. */
export interface StateVersion {
  /** Identifier to pass to {@link StateStore.readVersion} (a timestamped name). */
  id: string;
  /** ISO time the copy was made: when the value it holds stopped being current. */
  time: string;
  /** Size of the stored JSON in bytes. */
  bytes: number;
  /** Sequence of the copied record (absent for copies made before records had one). */
  sequence?: number;
  /** Who wrote the copied record. */
  origin?: StateOrigin;
  /** The run that wrote it, when known. */
  runId?: string;
}

/** What to write with a value (see {@link StateRecord}). */
export interface StateWriteMeta {
  /** Commit clock of the value (default: the current record's + 1). */
  sequence?: number;
  /** Who writes it (default `operator`). */
  origin?: StateOrigin;
  /** The run writing it. */
  runId?: string;
  /** Taken up by the next run whatever the target says (default: true for `operator` writes). */
  pending?: boolean;
  /** Store a cleared record (the value is ignored): the tap starts from scratch. */
  cleared?: boolean;
}

/** How many earlier values a store keeps. */
export interface HistoryRetention {
  /** Newest versions kept (default 100). */
  versions?: number;
  /** Versions older than this many days are removed (default 90); the newest one always stays. */
  days?: number;
}

/**
 * Where a pipeline's Singer state lives. Writes are atomic: a reader sees the previous value or the
 * new one, never a mix. Earlier values are kept: the first write of each store instance (one per
 * run) and every {@link StateStore.clear} first copy the current record into the history, which is
 * then pruned to its {@link HistoryRetention}. A lock next to the state lets one run at a time use it.
 */
export interface StateStore {
  /** The store's URL (`file:///…` or `s3://bucket/key`). */
  readonly url: string;
  /** The current state, or `undefined` when none was saved (or it was cleared). Numbers a double cannot hold come back as `ExactNumber`. */
  read(): Promise<unknown>;
  /** The current record with its sequence, or `undefined` when nothing was ever saved. */
  readRecord(): Promise<StateRecord | undefined>;
  /** Replaces the current state atomically; returns the record stored. */
  write(value: unknown, meta?: StateWriteMeta): Promise<StateRecord>;
  /** Stores a `cleared` record (the next run starts from scratch) after copying the current one into the history. */
  clear(): Promise<void>;
  /** Earlier values, newest first. */
  history(): Promise<StateVersion[]>;
  /** One earlier value by its {@link StateVersion.id}. */
  readVersion(id: string): Promise<unknown>;
  /** Takes the lock of this state for a run, or throws `LockHeldError` naming the run holding it. */
  lock(request: LockRequest): Promise<HeldLock>;
  /** The lock's holder, if any (expired or not). */
  readLock(): Promise<LockInfo | undefined>;
  /** Removes the lock whoever holds it (an operator's `--force-unlock`); returns what it held. */
  forceUnlock(): Promise<LockInfo | undefined>;
}

let lastStamp = '';
let counter = 0;

/** A name for a history copy made now: sortable, unique within the process. */
export function historyStamp(now = new Date()): string {
  const stamp = now.toISOString().replace(/:/g, '-');
  counter = stamp === lastStamp ? counter + 1 : 0;
  lastStamp = stamp;
  return counter === 0 ? stamp : `${stamp}-${String(counter).padStart(3, '0')}`;
}

/** The time a {@link historyStamp} was made. */
export function stampTime(stamp: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}(?:\.\d+)?Z)/.exec(stamp);
  return match ? `${match[1]}:${match[2]}:${match[3]}` : stamp;
}

/**
 * History id of a copy of `record` made now: `<stamp>~<sequence>~<origin>~<run id>`, so that listing the
 * history says which run wrote each version without reading them. Characters of the run id outside
 * `[A-Za-z0-9_.=-]` become `_`.
 */
export function historyId(record: StateRecord, now = new Date()): string {
  const run = (record.runId ?? '-').replace(/[^A-Za-z0-9_.=-]/g, '_');
  return `${historyStamp(now)}~${record.sequence}~${record.origin}~${run}`;
}

/** A {@link StateVersion} from a history id and its size (ids of older copies are a bare stamp). */
export function parseHistoryId(id: string, bytes: number): StateVersion {
  const [stamp, sequence, origin, run] = id.split('~');
  return {
    id,
    time: stampTime(stamp),
    bytes,
    ...(sequence !== undefined && /^\d+$/.test(sequence) ? { sequence: Number(sequence) } : {}),
    ...(origin ? { origin: origin as StateOrigin } : {}),
    ...(run && run !== '-' ? { runId: run } : {}),
  };
}

/** Whether `id` may name a history copy (no path separators). */
export function isHistoryId(id: string): boolean {
  return /^[\w.=~-]+$/.test(id) && !id.includes('..');
}

/**
 * The versions to remove (newest first in, any order out): those beyond the newest `versions`, and those
 * older than `days` — but never the newest one. Pure.
 */
export function versionsToPrune(versions: StateVersion[], retention: HistoryRetention, now = Date.now()): StateVersion[] {
  const keep = Math.max(1, retention.versions ?? 100);
  const cutoff = now - (retention.days ?? 90) * 86_400_000;
  const newestFirst = [...versions].sort((a, b) => (a.id < b.id ? 1 : -1));
  return newestFirst.filter((v, i) => i > 0 && (i >= keep || Date.parse(v.time) < cutoff));
}
