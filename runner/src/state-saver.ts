import type { StateStore } from '@observes/state';

/**
 * Persists the STATE values a target echoes, as they arrive, without queueing: while one write is in
 * flight only the newest value waits, so a slow store never delays the pipe and never falls behind
 * by more than one value. A failed write is remembered; a later successful write clears it (the
 * newer state covers the older one).
 */
export class StateSaver {
  /** Writes that completed. */
  saved = 0;
  /** The last value written successfully. */
  lastSaved: unknown;
  /** The error of the last write, if it failed and no later write succeeded. */
  error: unknown;
  private pending: { value: unknown } | undefined;
  private writing: Promise<void> | undefined;

  constructor(private readonly store: StateStore, private readonly onError: (error: unknown) => void = () => undefined) {}

  /** Schedules `value` to be written; returns at once. */
  save(value: unknown): void {
    this.pending = { value };
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
      const { value } = this.pending;
      this.pending = undefined;
      try {
        await this.store.write(value);
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
