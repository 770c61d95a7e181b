import type { StateBlobs } from './state-blobs.js';
import { decodeStateRecord, encodeStateRecord, type StateRecord } from './state-json.js';
import { acquireLock, forceUnlock, readLock, type HeldLock, type LockInfo, type LockRequest } from './state-lock.js';
import {
  historyId,
  isHistoryId,
  parseHistoryId,
  versionsToPrune,
  type HistoryRetention,
  type StateStore,
  type StateVersion,
  type StateWriteMeta,
} from './state-store.js';

/**
 * A {@link StateStore} over {@link StateBlobs}: the state at `key`, its history copies under
 * `<key>.history/`, its lock at `<key>.lock`. The file and S3 stores are this with their own blobs.
 */
export class BlobStateStore implements StateStore {
  private archived = false;
  /** The current record as last read or written by this instance. */
  private current: StateRecord | undefined;

  constructor(
    readonly url: string,
    private readonly blobs: StateBlobs,
    private readonly key: string,
    private readonly retention: HistoryRetention = {},
  ) {}

  async readRecord(): Promise<StateRecord | undefined> {
    const blob = await this.blobs.get(this.key);
    this.current = blob ? decodeStateRecord(blob.text, this.url) : undefined;
    return this.current;
  }

  async read(): Promise<unknown> {
    const record = await this.readRecord();
    return record?.cleared ? undefined : record?.value;
  }

  async write(value: unknown, meta: StateWriteMeta = {}): Promise<StateRecord> {
    if (!this.archived) await this.archive();
    const origin = meta.origin ?? 'operator';
    return this.store({
      ...(meta.cleared ? { cleared: true } : { value }),
      sequence: meta.sequence ?? (this.current?.sequence ?? 0) + 1,
      origin,
      ...(meta.runId !== undefined ? { runId: meta.runId } : {}),
      ...((meta.pending ?? origin === 'operator') ? { pending: true } : {}),
    });
  }

  async clear(): Promise<void> {
    await this.archive();
    // Written even when there is nothing to clear: the target may still hold a committed state.
    if (this.current?.cleared && this.current.pending) return;
    await this.store({ cleared: true, sequence: (this.current?.sequence ?? 0) + 1, origin: 'operator', pending: true });
  }

  async history(): Promise<StateVersion[]> {
    const listed = await this.blobs.list(`${this.key}.history/`);
    return listed
      .filter((entry) => entry.name.endsWith('.json'))
      .map((entry) => parseHistoryId(entry.name.slice(0, -'.json'.length), entry.bytes))
      .sort((a, b) => (a.id < b.id ? 1 : -1));
  }

  async readVersion(id: string): Promise<unknown> {
    if (!isHistoryId(id)) throw new Error(`bad history id ${JSON.stringify(id)}`);
    const blob = await this.blobs.get(`${this.key}.history/${id}.json`);
    if (!blob) throw new Error(`no history version ${id} for ${this.url}`);
    const record = decodeStateRecord(blob.text, `${this.url} (history ${id})`);
    return record.cleared ? undefined : record.value;
  }

  lock(request: LockRequest): Promise<HeldLock> {
    return acquireLock(this.blobs, `${this.key}.lock`, `${this.url}.lock`, request);
  }

  readLock(): Promise<LockInfo | undefined> {
    return readLock(this.blobs, `${this.key}.lock`);
  }

  forceUnlock(): Promise<LockInfo | undefined> {
    return forceUnlock(this.blobs, `${this.key}.lock`);
  }

  private async store(record: StateRecord): Promise<StateRecord> {
    const stored = { ...record, savedAt: new Date().toISOString() };
    await this.blobs.put(this.key, encodeStateRecord(stored));
    this.current = stored;
    return stored;
  }

  /** Copies the current record, if any, into the history (named by its sequence and run), then prunes it. */
  private async archive(): Promise<void> {
    this.archived = true;
    const blob = await this.blobs.get(this.key);
    this.current = blob ? decodeStateRecord(blob.text, this.url) : undefined;
    if (!blob || !this.current) return;
    await this.blobs.put(`${this.key}.history/${historyId(this.current)}.json`, blob.text);
    for (const version of versionsToPrune(await this.history(), this.retention)) await this.blobs.remove(`${this.key}.history/${version.id}.json`);
  }
}
