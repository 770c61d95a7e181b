import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { MessageWriter, ProtocolError, createLogger } from '@observes/protocol';
import { OrphanedInputError, runTargetStream, type FlushPolicy } from './target-runner.js';
import { MemorySink, type MemorySinkOptions } from './testing/memory-sink.js';

const quiet = createLogger({ name: 'test', level: 'error', write: () => undefined });
const SCHEMA = '{"type":"SCHEMA","stream":"s","key_properties":["id"],"schema":{"type":"object","properties":{"id":{"type":"integer"}}}}';
const RECORD = (id: number | string) => JSON.stringify({ type: 'RECORD', stream: 's', record: { id } });
const STATE = (n: number) => JSON.stringify({ type: 'STATE', value: { n } });
const ACTIVATE = (version: number) => JSON.stringify({ type: 'ACTIVATE_VERSION', stream: 's', version });
const chunk = (lines: string[]) => lines.join('\n') + '\n';

/** Collects the STATE lines written, and tells a listener of each. */
class Echoes {
  readonly states: Array<{ value: { n: number }; commit?: { sequence: number } }> = [];
  onState?: (n: number) => void;
  readonly writer = new MessageWriter(
    new Writable({
      write: (data, _e, done) => {
        for (const line of String(data).split('\n').filter(Boolean)) {
          const state = JSON.parse(line) as Echoes['states'][number];
          this.states.push(state);
          this.onState?.(state.value.n);
        }
        done();
      },
    }),
  );
  get values(): number[] {
    return this.states.map((s) => s.value.n);
  }
}

const WAREHOUSE: FlushPolicy = { maxAgeMs: 60_000, stateFlush: 'when-empty' };

async function run(
  input: AsyncIterable<string> | string[],
  sinkOptions: MemorySinkOptions = {},
  options: { policy?: FlushPolicy; complete?: boolean; echoes?: Echoes } = {},
) {
  const sink = new MemorySink(sinkOptions);
  const echoes = options.echoes ?? new Echoes();
  const result = await runTargetStream({
    sink,
    input: Array.isArray(input)
      ? (async function* () {
          yield chunk(input);
        })()
      : input,
    output: echoes.writer,
    log: quiet,
    policy: options.policy ?? WAREHOUSE,
    inputComplete: async () => options.complete ?? true,
  }).then(
    (r) => ({ messages: r.messages, error: undefined }),
    (error: Error) => ({ messages: undefined, error }),
  );
  return { ...result, sink, echoes };
}

describe('target runtime (runTargetStream)', () => {
  it('echoes each STATE only after the commit holding every record before it, with its commit record', async () => {
    const echoes = new Echoes();
    const { sink, error } = await run(
      [SCHEMA, RECORD(1), RECORD(2), STATE(1), RECORD(3), RECORD(4), STATE(2), STATE(3)],
      {
        batchRows: 2,
        beforeCommit: async (commit) => {
          if (commit.state !== undefined) expect(echoes.values, 'echoed before its commit').to.not.include((commit.state as { n: number }).n);
        },
      },
      { echoes },
    );
    expect(error).to.equal(undefined);
    expect(echoes.values).to.deep.equal([1, 2, 3]);
    expect(echoes.states.map((s) => s.commit?.sequence)).to.deep.equal([1, 2, 3]);
    // Each echoed state was committed with (or after) the records before it.
    const committedBefore = (n: number) =>
      sink.commits.slice(0, sink.commits.findIndex((c) => (c.state as { n: number } | undefined)?.n === n) + 1).flatMap((c) => c.records);
    expect(committedBefore(1)).to.deep.equal([{ id: 1 }, { id: 2 }]);
    expect(committedBefore(2)).to.deep.equal([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
    expect(sink.opened).to.equal(true);
    expect(sink.closed).to.deep.equal({ failed: false });
    expect(sink.commits.at(-1)?.final).to.equal(true);
  });

  it('a failed commit echoes no state from then on, stops the run with its error and closes the sink as failed', async () => {
    const { sink, echoes, error } = await run([SCHEMA, RECORD(1), STATE(1), RECORD(2), STATE(2), RECORD(3), STATE(3)], {
      batchRows: 1,
      beforeCommit: async (commit) => {
        if (commit.records.some((r) => (r as { id: number }).id === 2)) throw new Error('the warehouse refused the batch');
      },
    });
    expect(error?.message).to.equal('the warehouse refused the batch');
    expect(echoes.values).to.deep.equal([1]);
    expect(sink.commits.flatMap((c) => c.records)).to.deep.equal([{ id: 1 }]);
    expect(sink.closed).to.deep.equal({ failed: true });
  });

  it('commits nothing more when the input ended without the runner saying it was complete', async () => {
    const { sink, echoes, error } = await run([SCHEMA, RECORD(1), STATE(1), RECORD(2), RECORD(3), STATE(2)], { batchRows: 2 }, { complete: false });
    expect(error).to.be.instanceOf(OrphanedInputError);
    expect(sink.commits.some((c) => c.final)).to.equal(false);
    // Record 3 and state 2 wait for a flush that never comes.
    expect(echoes.values).to.deep.equal([1]);
    expect(sink.commits.flatMap((c) => c.records)).to.deep.equal([{ id: 1 }, { id: 2 }]);
  });

  it('flushes by age while the input is idle, so an idle tap does not hold its state back', async () => {
    const echoes = new Echoes();
    const echoed = new Promise<void>((resolve) => (echoes.onState = () => resolve()));
    async function* input() {
      yield chunk([SCHEMA, RECORD(1), STATE(1)]);
      // The tap goes quiet until the state is confirmed: without an idle flush this never ends.
      await echoed;
      yield chunk([RECORD(2)]);
    }
    const { sink, error } = await run(input(), {}, { policy: { maxAgeMs: 5, stateFlush: 'when-empty' }, echoes });
    expect(error).to.equal(undefined);
    expect(echoes.values).to.deep.equal([1]);
    expect(sink.commits[0]).to.deep.equal({ records: [{ id: 1 }], state: { n: 1 }, final: false });
  });

  it('reads the next batch while a flush is in flight', async () => {
    let nextRead!: () => void;
    const readingNext = new Promise<void>((resolve) => (nextRead = resolve));
    async function* input() {
      yield chunk([SCHEMA, RECORD(1), RECORD(2), STATE(1)]);
      nextRead();
      yield chunk([RECORD(3), STATE(2)]);
    }
    // The first commit completes only once the runtime asked for more input: without overlap it would wait forever.
    const { error, echoes, sink } = await run(input(), {
      batchRows: 2,
      beforeCommit: (commit) => (commit.records.length === 2 ? readingNext : Promise.resolve()),
    });
    expect(error).to.equal(undefined);
    expect(echoes.values).to.deep.equal([1, 2]);
    expect(sink.commits.flatMap((c) => c.records)).to.deep.equal([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('holds states while the sink says so; the latest follows once it lets go', async () => {
    const { echoes, sink } = await run([SCHEMA, RECORD(1), STATE(1), RECORD(2), STATE(2), ACTIVATE(7), STATE(3)], {
      batchRows: 1,
      holds: (memory) => memory.activated.length === 0,
    });
    expect(sink.commits.slice(0, 2).map((c) => c.state)).to.deep.equal([undefined, undefined]);
    expect(echoes.values).to.deep.equal([3]);
    expect(sink.activated).to.deep.equal([7]);
  });

  it('stops at bad input naming the line; what came before it is not confirmed', async () => {
    const { error, echoes, sink } = await run([SCHEMA, RECORD(1), RECORD('two'), STATE(1)]);
    expect(error).to.be.instanceOf(ProtocolError);
    expect(error?.message).to.match(/^line 3: stream "s"/);
    expect(echoes.values).to.deep.equal([]);
    expect(sink.commits).to.deep.equal([]);
    expect(sink.closed).to.deep.equal({ failed: true });
  });

  it('with states committed only when due, commits at every STATE for age 0 and keeps later records for the end', async () => {
    const policy: FlushPolicy = { maxAgeMs: 0, stateFlush: 'when-due', ageFlushAtStateOnly: true, overlap: false };
    const { echoes, sink } = await run([SCHEMA, RECORD(1), STATE(1), STATE(2), RECORD(2), RECORD(3)], {}, { policy });
    expect(echoes.values).to.deep.equal([1, 2]);
    expect(sink.commits).to.deep.equal([
      { records: [{ id: 1 }], state: { n: 1 }, final: false },
      { records: [], state: { n: 2 }, final: false },
      { records: [{ id: 2 }, { id: 3 }], final: true },
    ]);
  });

  it('with states committed only when due, a state waits for its age; a state alone is not committed before the end', async () => {
    const policy: FlushPolicy = { maxAgeMs: 60_000, stateFlush: 'when-due', ageFlushAtStateOnly: true, overlap: false };
    const { echoes, sink } = await run([SCHEMA, STATE(1), RECORD(1), STATE(2)], {}, { policy });
    expect(echoes.values).to.deep.equal([2]);
    expect(sink.commits).to.deep.equal([{ records: [{ id: 1 }], state: { n: 2 }, final: true }]);
  });

  it('exits at once when the input fails while records are buffered (an age timer kept the process alive for batch_max_age)', () => {
    const script = fileURLToPath(new URL('./testing/failing-input-run.js', import.meta.url));
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.signal, 'killed by the timeout: the process did not exit').to.equal(null);
    expect(run.status).to.equal(1);
    expect(run.stderr).to.match(/line 3: malformed JSON/);
  });
});
