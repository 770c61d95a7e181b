import type { CommitInfo } from '@observes/protocol';
import type { StateStore, StateWriteMeta } from '@observes/state';

/**
 * Persists the STATE values a target echoes, as they arrive, without queueing: while one write is in
 * flight only the newest value waits, so a slow store never delays the pipe and never falls behind
 * by more than one value. A failed write is remembered; a later successful write clears it (the
 * newer state covers the older one). Each value is stored with its sequence: the target's commit
 * info when it gives one, else the runner's own count from the sequence the run resumed from.
 */
export class StateSaver {
  /** Writes that completed. */
  saved = 0;
  /** The last value written successfully. */
  lastSaved: unknown;
  /** The error of the last write, if it failed and no later write succeeded. */
  error: unknown;
  private pending: { value: unknown; meta: StateWriteMeta } | undefined;
  private writing: Promise<void> | undefined;
  private sequence: number;

  /**
   * @param store - where states go
   * @param runId - the run, recorded with each state
   * @param resumedSequence - sequence of the state the run resumed from
   * @param onError - told of each failed write
   */
  constructor(
    private readonly store: StateStore,
    private readonly runId: string,
    resumedSequence: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.sequence = resumedSequence;
  }

  /** Schedules `value` to be written; returns at once. */
  save(value: unknown, commit?: CommitInfo): void {
    this.sequence = commit ? Math.max(this.sequence, commit.sequence) : this.sequence + 1;
    const meta: StateWriteMeta = commit
      ? { sequence: commit.sequence, origin: 'target', runId: commit.run_id ?? this.runId, pending: false }
      : { sequence: this.sequence, origin: 'runner', runId: this.runId, pending: false };
    this.pending = { value, meta };
    this.writing ??= this.drain();
  }

  /** Waits until every scheduled value was written (or failed). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Whether a value was saved and nothing newer failed. */
  get upToDate(): boolean {
    return this.pending === undefined && this.error === undefined;
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const { value, meta } = this.pending;
      this.pending = undefined;
      try {
        await this.store.write(value, meta);
        this.saved++;
        this.lastSaved = value;
        this.error = undefined;
      } catch (error) {
        this.error = error;
        this.onError(error);
      }
    }
    this.writing = undefined;
  }
}
