/** One earlier value of a state, as {@link StateStore.history} lists it. */
export interface StateVersion {
  /** Identifier to pass to {@link StateStore.readVersion} (a timestamped name). */
  id: string;
  /** ISO time the copy was made: when the value it holds stopped being current. */
  time: string;
  /** Size of the stored JSON in bytes. */
  bytes: number;
}

/**
 * Where a pipeline's Singer state lives. Writes are atomic: a reader sees the previous value or the
 * new one, never a mix. Earlier values are kept: the first write of each store instance (one per
 * run) and every {@link StateStore.clear} first copy the current value into the history.
 */
export interface StateStore {
  /** The store's URL (`file:///…` or `s3://bucket/key`). */
  readonly url: string;
  /** The current state, or `undefined` when none was saved. Numbers a double cannot hold come back as `ExactNumber`. */
  read(): Promise<unknown>;
  /** Replaces the current state atomically. */
  write(value: unknown): Promise<void>;
  /** Removes the current state after copying it into the history. */
  clear(): Promise<void>;
  /** Earlier values, newest first. */
  history(): Promise<StateVersion[]>;
  /** One earlier value by its {@link StateVersion.id}. */
  readVersion(id: string): Promise<unknown>;
}

let lastStamp = '';
let sequence = 0;

/** A name for a history copy made now: sortable, unique within the process. */
export function historyStamp(now = new Date()): string {
  const stamp = now.toISOString().replace(/:/g, '-');
  sequence = stamp === lastStamp ? sequence + 1 : 0;
  lastStamp = stamp;
  return sequence === 0 ? stamp : `${stamp}-${String(sequence).padStart(3, '0')}`;
}

/** The time a {@link historyStamp} was made. */
export function stampTime(stamp: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}(?:\.\d+)?Z)/.exec(stamp);
  return match ? `${match[1]}:${match[2]}:${match[3]}` : stamp;
}
