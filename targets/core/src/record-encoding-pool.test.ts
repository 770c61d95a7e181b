import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { readLineBatches, type Message } from '@observes/protocol';
import { RecordEncodingPool, type EncodedRead, type EncodingSource } from './record-encoding-pool.js';

const WORKER = new URL('./testing/tagging-encoder-worker.js', import.meta.url);
type Tagged = { tag: number; id: number };

const schema = (stream: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'SCHEMA', stream, key_properties: ['id'], schema: { type: 'object', properties: { id: { type: 'integer' }, ...extra } } });
const record = (stream: string, id: unknown, more: Record<string, unknown> = {}) => JSON.stringify({ type: 'RECORD', stream, record: { id, ...more } });

/** A main thread as a sink would be: a SCHEMA tags its stream with its line and changes the plan revision. */
function fakeSink() {
  const tags: Record<string, number> = {};
  const schemas: Record<string, { schema: Message }> = {};
  let revision = 0;
  const source: EncodingSource = {
    planRevision: () => revision,
    stateRevision: () => 0,
    state: () => ({ schemas, tags }),
  };
  return {
    source,
    handle(read: EncodedRead<Tagged>) {
      if (read.message.type === 'SCHEMA') {
        tags[read.message.stream] = read.line;
        schemas[read.message.stream] = { schema: read.message };
        revision++;
      }
    },
  };
}

/** Text chunks as a byte stream. */
async function* chunks(...parts: string[]): AsyncGenerator<string> {
  yield* parts;
}

async function readAll(pool: RecordEncodingPool<Tagged>, input: AsyncIterable<Buffer | string>) {
  const sink = fakeSink();
  const seen: Array<EncodedRead<Tagged>> = [];
  for await (const batch of pool.read(readLineBatches(input), sink.source)) {
    for (const read of batch) {
      sink.handle(read);
      seen.push(read);
    }
  }
  return seen;
}

describe('RecordEncodingPool: records encoded on worker threads, in input order', function () {
  this.timeout(60_000);
  let pool: RecordEncodingPool<Tagged>;
  afterEach(async () => pool?.close());

  it('keeps input order across workers, and never hands out a record encoded before a SCHEMA that precedes it', async () => {
    pool = new RecordEncodingPool<Tagged>({ workerUrl: WORKER, workers: 3, init: {}, chunkLines: 37 });
    const lines: string[] = [];
    // Schemas change every few hundred lines, for one stream or another; some records stay on the main thread.
    for (let i = 0; i < 6000; i++) {
      if (i % 701 === 0) lines.push(schema('a', { n: { type: 'integer' }, v: { const: i } }));
      if (i % 977 === 0) lines.push(schema('b', { v: { const: i } }));
      if (i % 250 === 0) lines.push(JSON.stringify({ type: 'STATE', value: { i } }));
      lines.push(record(i % 3 === 0 ? 'b' : 'a', i, i % 101 === 0 ? { slow: true } : {}));
    }
    const seen = await readAll(pool, chunks(lines.join('\n') + '\n'));
    expect(seen.map((r) => r.line)).to.deep.equal(lines.map((_, i) => i + 1));
    const latest: Record<string, number> = {};
    let encoded = 0;
    for (const read of seen) {
      if (read.message.type === 'SCHEMA') latest[read.message.stream] = read.line;
      if (read.encoded && read.message.type === 'RECORD') {
        encoded++;
        const stream = (read.message as { stream: string }).stream;
        expect(read.encoded.tag, `line ${read.line}`).to.equal(latest[stream]);
        expect(read.encoded.id).to.equal(JSON.parse(lines[read.line - 1]).record.id);
      } else if (read.message.type === 'RECORD') {
        expect(read.message.record.slow, `line ${read.line} was left to the main thread`).to.equal(true);
      }
    }
    expect(encoded).to.be.greaterThan(5000);
  });

  it('leaves invalid records to the main thread, whose checker then names them', async () => {
    pool = new RecordEncodingPool<Tagged>({ workerUrl: WORKER, workers: 1, init: {} });
    const seen = await readAll(pool, chunks([schema('a'), record('a', 1), record('a', 'x'), record('a', null)].join('\n') + '\n'));
    expect(seen.map((r) => r.encoded !== undefined)).to.deep.equal([false, true, false, false]);
  });

  it('hands out what an idle input sent without waiting for a full chunk', async () => {
    pool = new RecordEncodingPool<Tagged>({ workerUrl: WORKER, workers: 2, init: {} });
    const input = new PassThrough();
    const sink = fakeSink();
    const iterator = pool.read(readLineBatches(input), sink.source)[Symbol.asyncIterator]();
    input.write(`${schema('a')}\n${record('a', 1)}\n`);
    const first = await iterator.next();
    sink.handle(first.value![0]);
    const second = await iterator.next();
    expect(second.value!.map((r: EncodedRead<Tagged>) => r.encoded)).to.deep.equal([{ tag: 1, id: 1 }]);
    input.end();
    expect((await iterator.next()).done).to.equal(true);
  });

  it('throws a malformed line before any message of the input chunk it came in, after those of earlier chunks', async () => {
    pool = new RecordEncodingPool<Tagged>({ workerUrl: WORKER, workers: 2, init: {} });
    const sink = fakeSink();
    const lines: number[] = [];
    let error: unknown;
    try {
      for await (const batch of pool.read(
        readLineBatches(chunks(`${schema('a')}\n${record('a', 1)}\n`, `${record('a', 2)}\n{"type":"RECORD",\n${record('a', 3)}\n`)),
        sink.source,
      )) {
        for (const read of batch) {
          sink.handle(read);
          lines.push(read.line);
        }
      }
    } catch (e) {
      error = e;
    }
    expect(lines).to.deep.equal([1, 2]);
    expect(String(error)).to.match(/line 4: malformed JSON/);
  });

  it('fails the read when a worker dies', async () => {
    pool = new RecordEncodingPool<Tagged>({ workerUrl: WORKER, workers: 1, init: {} });
    const sink = fakeSink();
    let error: unknown;
    try {
      for await (const batch of pool.read(readLineBatches(chunks(`${schema('a')}\n`, `${record('a', 1, { crash: true })}\n`)), sink.source))
        for (const read of batch) sink.handle(read);
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/worker exited with code 3/);
  });
});
