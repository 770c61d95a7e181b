import type { CommitInfo, ReadMessage } from '@observes/protocol';
import type { PendingState, RunnerControl, TargetSink } from '../target-runner.js';

/** What {@link MemorySink} stored in one commit. */
export interface MemoryCommit {
  records: unknown[];
  state?: unknown;
  final: boolean;
}

/** Options of {@link MemorySink}. */
export interface MemorySinkOptions {
  /** Flush once this many records are buffered (default never). */
  batchRows?: number;
  /** Called at each commit before it is stored; a rejection fails the commit (nothing stored). */
  beforeCommit?: (commit: MemoryCommit) => Promise<void>;
  /** Hold states while this returns true (a full refresh in progress). */
  holds?: (sink: MemorySink) => boolean;
}

/**
 * An in-memory {@link TargetSink} for testing the target runtime: buffers RECORD values, and at each commit
 * stores them with the state, all or nothing, numbering commits of a state from 1.
 */
export class MemorySink implements TargetSink<unknown[]> {
  /** Every successful commit, in order. */
  readonly commits: MemoryCommit[] = [];
  /** Versions told by ACTIVATE_VERSION, in order. */
  readonly activated: number[] = [];
  opened = false;
  closed: { failed: boolean } | undefined;
  private records: unknown[] = [];
  private sequence = 0;

  constructor(private readonly options: MemorySinkOptions = {}) {}

  async open(): Promise<void> {
    this.opened = true;
  }

  handle(read: ReadMessage, _checked: unknown, control: RunnerControl): Promise<void> | undefined {
    const message = read.message;
    if (message.type === 'ACTIVATE_VERSION') {
      // Everything before the version is committed first, as a warehouse swap needs.
      return control.settle().then(() => void this.activated.push(message.version));
    }
    if (message.type !== 'RECORD') return undefined;
    this.records.push(message.record);
    return this.options.batchRows !== undefined && this.records.length >= this.options.batchRows ? control.flush() : undefined;
  }

  buffered(): number {
    return this.records.length;
  }

  holdsState(): boolean {
    return this.options.holds?.(this) ?? false;
  }

  take(): unknown[] | undefined {
    if (this.records.length === 0) return undefined;
    const batch = this.records;
    this.records = [];
    return batch;
  }

  async commit(batch: unknown[] | undefined, state: PendingState | undefined, final: boolean): Promise<CommitInfo | undefined> {
    const commit: MemoryCommit = { records: batch ?? [], ...(state ? { state: state.value } : {}), final };
    await this.options.beforeCommit?.(commit);
    this.commits.push(commit);
    return state ? { sequence: ++this.sequence } : undefined;
  }

  async close(failed: boolean): Promise<void> {
    this.closed = { failed };
  }
}
