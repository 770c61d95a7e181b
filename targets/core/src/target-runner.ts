import {
  InputError,
  type MessageWriter,
  StreamChecker,
  readLineBatches,
  readMessageBatches,
  serializeJson,
  type CommitInfo,
  type InvalidTextPolicy,
  type Logger,
  type ReadMessage,
  type StreamSchema,
} from '@observes/protocol';
import type { EncodedRead, EncodingSource, RecordEncodingPool } from './record-encoding-pool.js';

/** A STATE value read and not yet committed. */
export interface PendingState {
  value: unknown;
}

/** What a sink may ask of the runtime while it handles a message. */
export interface RunnerControl {
  /**
   * Hands what is buffered (and the latest state, unless the sink holds states) to a new flush, once the
   * flush in flight is done; resolves when it started, not when it committed. `all`: everything buffered.
   */
  flush(all?: boolean): Promise<void>;
  /** Flushes (with `all`, everything) and waits until it is committed. */
  settle(all?: boolean): Promise<void>;
}

/**
 * One target's storage, driven by {@link runTargetStream}: the runtime reads, checks, times and commits; the
 * sink buffers messages and stores them. A state reaches the output only after the sink committed it with
 * the records before it ({@link TargetSink.commit}), whatever the sink.
 * @typeParam B - what {@link TargetSink.take} hands to {@link TargetSink.commit}
 */
export interface TargetSink<B> {
  /** Before the first message: connect, read what earlier runs committed. */
  open(): Promise<void>;
  /**
   * Handles a checked SCHEMA, RECORD or ACTIVATE_VERSION (STATE is the runtime's). Returns a promise only when
   * it has to wait (a flush through `control`, an upload), so a buffered record costs no await.
   */
  handle(read: ReadMessage, checked: StreamSchema | undefined, control: RunnerControl): Promise<void> | undefined;
  /** Records read and not yet handed to a flush (the age clock runs while there are some). */
  buffered(): number;
  /** Whether states must wait for now (a full refresh staged and not swapped in): a flush then commits none. */
  holdsState?(): boolean;
  /** A STATE was read: the records buffered now are the ones it covers. */
  stateRead?(): void;
  /**
   * Takes buffered records for a flush. `withState`: the flush commits a state, which covers what was buffered
   * when it was read; `all`: every record (the end of input, a new schema or version).
   */
  take(withState: boolean, all: boolean): B | undefined;
  /**
   * Stores `batch` and the state together, atomically: both, or, on failure, neither. Returns the commit
   * record of the state (its sequence), echoed with it. `final`: the last flush of a complete input
   * (called even with nothing to store).
   */
  commit(batch: B | undefined, state: PendingState | undefined, final: boolean): Promise<CommitInfo | undefined>;
  /** The input was complete and everything before was committed: what remains (versions to swap in). */
  endOfInput?(control: RunnerControl): Promise<void>;
  /** A check failed: the error to throw instead (e.g. one naming the table and column of a value). */
  explain?(error: unknown): unknown;
  /** Always called last; `failed`: the run stops on an error (uploads in progress are aborted, nothing more stored). */
  close(failed: boolean): Promise<void>;
}

/** When the runtime flushes, besides what the sink asks for (rows, bytes). */
export interface FlushPolicy {
  /** Flush once the oldest buffered record is this old, also while the input is idle (0: at every chance). */
  maxAgeMs: number;
  /**
   * When a STATE is read: `when-empty` flushes at once when nothing is buffered (the state follows what is in
   * flight); `when-due` flushes at once when the age limit is reached (with 0, at every STATE), else it waits.
   */
  stateFlush: 'when-empty' | 'when-due';
  /**
   * Age flushes only at a state: only while a state is pending and no record came after it (a sink whose
   * flush stores every record read, which a rerun from that state would send again).
   */
  ageFlushAtStateOnly?: boolean;
  /** Loading overlaps reading: one flush in flight while the next batch fills (default true). */
  overlap?: boolean;
}

/** Options of {@link runTargetStream}. */
export interface TargetStreamOptions<B> {
  sink: TargetSink<B>;
  /** Singer messages (stdin, or a generated stream). */
  input: AsyncIterable<Buffer | string>;
  /** Where committed STATE lines go (stdout). */
  output: MessageWriter;
  /** Where progress is logged (stderr). */
  log: Logger;
  policy: FlushPolicy;
  /** Longest input line accepted, in bytes (default the line reader's). */
  maxLineBytes?: number;
  /** Validate records against their schemas (default true). */
  validateRecords?: boolean;
  /** Invalid UTF-8 and unstorable characters: fail (default) or replace with U+FFFD, counted and logged. */
  invalidText?: InvalidTextPolicy;
  /**
   * Asked when the input ended: whether it really ended (`connectRunnerLink` of `@observes/protocol`: under
   * `observes run`, an input that ends because the runner died is not the end). When false nothing more is
   * committed and {@link OrphanedInputError} is thrown. Default: always true.
   */
  inputComplete?: () => Promise<boolean>;
  /** What an orphaned input leaves, for the {@link OrphanedInputError} message. */
  orphaned?: string;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
  /**
   * Worker threads that parse, check and encode records while this thread loads, and the sink's state they encode
   * with: records they encoded reach the sink with `encoded` set and are not checked again here.
   */
  encoding?: { pool: RecordEncodingPool<unknown>; source: EncodingSource };
}

/** What a run read. */
export interface TargetStreamResult {
  /** Singer messages read. */
  messages: number;
}

/** The input ended because the runner died: nothing more is committed. */
export class OrphanedInputError extends InputError {
  constructor(consequence = 'nothing more committed') {
    super(`the input ended without the runner saying it was complete: ${consequence}`);
  }
}

/**
 * The one message loop of every target: reads and checks a Singer stream, hands SCHEMA, RECORD and
 * ACTIVATE_VERSION to the sink, and flushes by the sink's limits, by age (also while the input is idle: an
 * idle tap must not hold state back) and at the end of input. A STATE line is written to `output` only once
 * the sink committed it with every record before it, so a crash never confirms more than is stored. One flush
 * may be in flight while the next batch fills; its failure stops the run at the next message batch.
 */
export async function runTargetStream<B>(options: TargetStreamOptions<B>): Promise<TargetStreamResult> {
  const { sink, policy, log, output: writer } = options;
  const now = options.now ?? Date.now;
  const checker = new StreamChecker({ validateRecords: options.validateRecords, invalidText: options.invalidText });
  let pending: PendingState | undefined;
  /** When the oldest record not yet flushed was read (0: none). */
  let oldest = 0;
  let recordsSinceState = 0;
  let messages = 0;
  let replacedSequences = 0;
  const replacedLines: number[] = [];
  let inflight: Promise<void> = Promise.resolve();
  let failure: unknown;
  const checkFailure = () => {
    if (failure !== undefined) throw failure;
  };

  const flush = async (all = false, final = false): Promise<void> => {
    const state = sink.holdsState?.() ? undefined : pending;
    const batch = sink.take(state !== undefined, all);
    if (state) pending = undefined;
    oldest = sink.buffered() > 0 ? now() : 0;
    if (batch === undefined && !state && !final) return;
    if (batch !== undefined || final) await inflight;
    checkFailure();
    inflight = inflight.then(async () => {
      const commit = await sink.commit(batch, state, final);
      if (state) await writer.writeRaw(serializeJson({ type: 'STATE', value: state.value, commit }) + '\n');
    });
    inflight.catch((error: unknown) => {
      failure ??= error;
    });
    if (policy.overlap === false) await settled();
  };
  const settled = async () => {
    await inflight;
    checkFailure();
  };
  const control: RunnerControl = {
    flush: (all) => flush(all),
    settle: async (all) => {
      await flush(all);
      await settled();
    },
  };

  /** Whether the age limit asks for a flush now. */
  const ageDue = () => {
    if (policy.ageFlushAtStateOnly && (pending === undefined || recordsSinceState > 0)) return false;
    return oldest !== 0 && now() - oldest >= policy.maxAgeMs;
  };
  const waitMs = () => {
    if (oldest === 0 || (policy.ageFlushAtStateOnly && (pending === undefined || recordsSinceState > 0))) return undefined;
    return Math.max(0, oldest + policy.maxAgeMs - now());
  };

  const check = (read: ReadMessage) => {
    // A worker checked it with a checker that saw the same schemas.
    if ((read as EncodedRead<unknown>).encoded !== undefined) return checker.schemas.get((read.message as { stream: string }).stream);
    try {
      return checker.check(read);
    } catch (error) {
      throw sink.explain?.(error) ?? error;
    }
  };

  /** Handles one message; returns a promise only when it has to wait. */
  const handle = (read: ReadMessage): Promise<void> | undefined => {
    const checked = check(read);
    const message = read.message;
    if (message.type !== 'STATE') {
      if (message.type === 'RECORD') recordsSinceState++;
      return sink.handle(read, checked, control);
    }
    pending = { value: message.value };
    recordsSinceState = 0;
    sink.stateRead?.();
    if (policy.stateFlush === 'when-empty') return sink.buffered() === 0 ? flush() : undefined;
    return policy.maxAgeMs === 0 || (oldest !== 0 && now() - oldest >= policy.maxAgeMs) ? flush() : undefined;
  };

  let failed = true;
  try {
    await sink.open();
    const readOptions = {
      maxLineBytes: options.maxLineBytes,
      invalidText: options.invalidText,
      onReplaced: (line: number, count: number) => {
        replacedSequences += count;
        if (replacedLines.length < 20) replacedLines.push(line);
      },
    };
    const { encoding } = options;
    const iterator = (
      encoding ? encoding.pool.read(readLineBatches(options.input, readOptions), encoding.source) : readMessageBatches(options.input, readOptions)
    )[Symbol.asyncIterator]();
    let next = iterator.next();
    for (;;) {
      // Wait for input, but no longer than the age limit of what is buffered.
      const wait = waitMs();
      let timer: NodeJS.Timeout | undefined;
      let result: IteratorResult<ReadMessage[]> | 'timeout';
      try {
        result =
          wait === undefined
            ? await next
            : await Promise.race([next, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), wait)))]);
      } finally {
        // Also when the input failed: a pending age timer would keep the process alive for up to batch_max_age.
        if (timer) clearTimeout(timer);
      }
      checkFailure();
      if (result === 'timeout') {
        await flush();
        continue;
      }
      if (result.done) break;
      // Read-ahead overlaps parsing with handling; with workers they parse ahead, and a batch must be handled before
      // the next is asked for (a message in it may change what they encode with).
      if (!encoding) next = iterator.next();
      for (const read of result.value) {
        messages++;
        const waiting = handle(read);
        if (waiting) await waiting;
        if (oldest === 0 && sink.buffered() > 0) oldest = now();
      }
      if (encoding) next = iterator.next();
      if (ageDue()) await flush();
    }
    // An input that ended because the runner died is not the end: no last flush, nothing finished.
    if (!(await (options.inputComplete?.() ?? true))) throw new OrphanedInputError(options.orphaned);
    if (sink.endOfInput) {
      await control.settle(true);
      await sink.endOfInput(control);
    }
    await flush(true, true);
    await settled();
    const sequences = replacedSequences + checker.replacedText;
    if (sequences > 0)
      log.warn('text no warehouse stores was replaced with U+FFFD (invalid_text is "replace")', {
        replaced: sequences,
        undecodable_lines: replacedLines,
        in_values: checker.replacedText,
      });
    await writer.end();
    failed = false;
  } finally {
    // A flush in flight when the input failed still commits (its state stays valid) before the sink closes.
    await inflight.catch(() => undefined);
    if (failed) await sink.close(true).catch(() => undefined);
  }
  await sink.close(false);
  return { messages };
}
