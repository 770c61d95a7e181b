import { Worker } from 'node:worker_threads';
import { parseMessage, type Line, type ReadMessage } from '@observes/protocol';

/**
 * A RECORD a worker parsed, checked and encoded: `record` is empty (the worker kept the record; `encoded` is what
 * the sink stores), the rest is as read.
 */
export interface EncodedRead<E> extends ReadMessage {
  encoded?: E;
}

/** What a worker answers for one line: null when the main thread handles the line itself (see `serveRecordEncoding`). */
export type EncodedLine<E> = { stream: string; version?: number; encoded: E } | null;

/** What the workers need from the sink, and when it changed. */
export interface EncodingSource {
  /**
   * Bumped when results the workers computed before are wrong from now on (a stream's plan changed: a new
   * SCHEMA, fields added by `undeclared_fields: evolve`): what follows is encoded again.
   */
  planRevision(): number;
  /** Bumped when the workers' state changes and earlier results stay right (tables created, columns widened). */
  stateRevision(): number;
  /** The state every worker encodes with (structured-cloneable). */
  state(): unknown;
}

/** Options of {@link RecordEncodingPool}. */
export interface RecordEncodingPoolOptions {
  /** The worker module: it calls `serveRecordEncoding` of `record-encoding-worker.js`. */
  workerUrl: URL;
  /** Worker threads (at least 1). */
  workers: number;
  /** Given to each worker's encoder factory (structured-cloneable). */
  init: unknown;
  /** Lines a chunk handed to a worker holds at most (default 1,000). */
  chunkLines?: number;
  /** UTF-16 units a chunk holds at most (default 512 Ki): long lines make short chunks. */
  chunkChars?: number;
}

interface Chunk {
  lines: Line[];
  epoch: number;
  /** The state revision it was encoded with. */
  state?: number;
  /** The worker's answer, once it came. */
  result?: Promise<Array<EncodedLine<unknown>>>;
}

type WorkerReply = { id: number; results: Array<EncodedLine<unknown>> } | { id: number; error: { message: string; stack?: string } };

/**
 * Parses, checks and encodes RECORD lines on worker threads while the main thread loads: a kept pool of
 * `worker_threads`, chunks of whole lines handed out in turn, results taken back in input order. The main
 * thread still sees every message in order ({@link RecordEncodingPool.read}): SCHEMA, STATE, ACTIVATE_VERSION
 * and any record a worker could not encode (invalid, undeclared fields, a value its column cannot hold yet)
 * arrive as plain {@link ReadMessage}s and take the sequential path, so behaviour and errors stay the same.
 * The workers' state comes from an {@link EncodingSource}: when its plan revision changes, everything after the
 * message that changed it is encoded again with the new state.
 */
export class RecordEncodingPool<E> {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (r: Array<EncodedLine<unknown>>) => void; reject: (e: Error) => void }>();
  private readonly chunkLines: number;
  private readonly chunkChars: number;
  private nextId = 0;
  private turn = 0;
  private failure: Error | undefined;
  private sentState = -1;
  private sentPlan = -1;

  constructor(options: RecordEncodingPoolOptions) {
    this.chunkLines = options.chunkLines ?? 1000;
    this.chunkChars = options.chunkChars ?? 512 * 1024;
    for (let i = 0; i < Math.max(1, options.workers); i++) {
      const worker = new Worker(options.workerUrl, { workerData: options.init });
      worker.on('message', (reply: WorkerReply) => {
        const waiting = this.pending.get(reply.id);
        if (!waiting) return;
        this.pending.delete(reply.id);
        if ('error' in reply) {
          const error = new Error(`record encoding worker: ${reply.error.message}`);
          if (reply.error.stack) error.stack = reply.error.stack;
          waiting.reject(error);
        } else waiting.resolve(reply.results);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`record encoding worker exited with code ${code}`));
      });
      this.workers.push(worker);
    }
  }

  /** Threads in the pool. */
  get size(): number {
    return this.workers.length;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  private dispatch(chunk: Chunk, source: EncodingSource): void {
    const plan = source.planRevision();
    const state = source.stateRevision();
    if (plan !== this.sentPlan || state !== this.sentState) {
      const message = { type: 'state', state: source.state() };
      for (const worker of this.workers) worker.postMessage(message);
      this.sentPlan = plan;
      this.sentState = state;
    }
    chunk.epoch = plan;
    chunk.state = state;
    const id = this.nextId++;
    const worker = this.workers[this.turn++ % this.workers.length];
    chunk.result = new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ type: 'chunk', id, lines: chunk.lines });
    });
    // Awaited in order later; a failure meanwhile is not unhandled.
    chunk.result.catch(() => undefined);
  }

  /**
   * The messages of `lines` in input order, in batches: a run of encoded records ending with at most one message
   * the main thread handles itself, so a message that changes the plan is always the last one the caller handled
   * when it asks for the next batch. The caller must handle a batch before asking for the next one (no prefetch).
   * Input is handed out as it comes (an idle tap's few lines are not held back), and read ahead by up to
   * 8 input chunks a worker.
   */
  async *read(lines: AsyncIterable<Line[]>, source: EncodingSource): AsyncGenerator<Array<EncodedRead<E>>> {
    const queue: Chunk[] = [];
    const iterator = lines[Symbol.asyncIterator]();
    const inFlight = 8 * this.workers.length;
    let reading: Promise<void> | undefined;
    let ended = false;
    let readError: unknown;
    const readMore = () => {
      reading ??= iterator.next().then(
        (next) => {
          reading = undefined;
          if (next.done) {
            ended = true;
            return;
          }
          let rest = next.value;
          while (rest.length > 0) {
            const take = cut(rest, this.chunkLines, this.chunkChars);
            const chunk: Chunk = { lines: take === rest.length ? rest : rest.slice(0, take), epoch: 0 };
            rest = rest.slice(take);
            this.dispatch(chunk, source);
            queue.push(chunk);
          }
        },
        (error: unknown) => {
          reading = undefined;
          ended = true;
          readError = error;
        },
      );
    };
    try {
      yield* this.ordered(
        queue,
        source,
        () => {
          if (!ended && queue.length < inFlight) readMore();
          return queue.length === 0 && !ended ? reading : undefined;
        },
        () => ended,
      );
    } finally {
      // Stop reading the input too (the caller stops on an error). Not awaited: a read may be pending, and the
      // input's generator returns only once it settles.
      if (!ended) iterator.return?.().catch(() => undefined);
    }
    if (readError !== undefined) throw readError;
  }

  /** The queued chunks' messages in order (see {@link RecordEncodingPool.read}); `more` reads on, `ended` says when input is over. */
  private async *ordered(
    queue: Chunk[],
    source: EncodingSource,
    more: () => Promise<void> | undefined,
    ended: () => boolean,
  ): AsyncGenerator<Array<EncodedRead<E>>> {
    for (;;) {
      const waiting = more();
      if (queue.length === 0) {
        if (ended()) break;
        await waiting;
        continue;
      }
      const chunk = queue[0];
      if (chunk.epoch !== source.planRevision()) {
        // Encoded before the plan changed: every queued chunk is encoded again.
        for (const c of queue) this.dispatch(c, source);
        continue;
      }
      const results = await chunk.result!;
      if (this.failure) throw this.failure;
      // The lines left to this thread are parsed before any message of the chunk is handed out: a malformed line
      // fails the chunk it came in, as with `readMessageBatches` (no batch of the records before it is committed).
      const messages = chunk.lines.map(({ text, line }, i) => (results[i] ? undefined : parseMessage(text, line)));
      if (chunk.state !== source.stateRevision() && messages.some((m) => m?.type === 'RECORD')) {
        // Records it left to this thread may fit the tables as they are now (created or widened since): encoded again.
        this.dispatch(chunk, source);
        continue;
      }
      let start = 0;
      let restarted = false;
      while (start < chunk.lines.length) {
        const batch: Array<EncodedRead<E>> = [];
        let i = start;
        for (; i < chunk.lines.length; i++) {
          const { text, line } = chunk.lines[i];
          const result = results[i];
          if (result) {
            batch.push({
              line,
              size: text.length,
              message: { type: 'RECORD', stream: result.stream, record: {}, ...(result.version === undefined ? {} : { version: result.version }) },
              encoded: result.encoded as E,
            });
            continue;
          }
          batch.push({ line, message: messages[i]!, size: text.length, escaped: text.includes('\\u') });
          i++;
          break;
        }
        start = i;
        const revision = source.planRevision();
        yield batch;
        if (source.planRevision() !== revision && start < chunk.lines.length) {
          // The last message changed the plan: the rest of this chunk, and the chunks after it, are encoded again.
          chunk.lines = chunk.lines.slice(start);
          for (const c of queue) this.dispatch(c, source);
          restarted = true;
          break;
        }
      }
      if (!restarted) queue.shift();
    }
  }

  /** Stops the threads. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** How many of `lines` the next chunk takes: at most `maxLines` lines and about `maxChars` units (at least one line). */
function cut(lines: Line[], maxLines: number, maxChars: number): number {
  let n = 0;
  let size = 0;
  while (n < lines.length && n < maxLines && (n === 0 || size + lines[n].text.length <= maxChars)) size += lines[n++].text.length;
  return n;
}
