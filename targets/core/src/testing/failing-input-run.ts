/**
 * A target run whose input fails (a malformed line) while a record is buffered, with an hour's age limit: the
 * process must exit at once after the failure, not when a forgotten age timer fires. Run by target-runner.test.ts.
 */
import { Writable } from 'node:stream';
import { MessageWriter, createLogger } from '@observes/protocol';
import { runTargetStream } from '../target-runner.js';
import { MemorySink } from './memory-sink.js';

const SCHEMA = '{"type":"SCHEMA","stream":"s","key_properties":["id"],"schema":{"type":"object","properties":{"id":{"type":"integer"}}}}';
const input = (async function* () {
  yield `${SCHEMA}\n{"type":"RECORD","stream":"s","record":{"id":1}}\n`;
  await new Promise((resolve) => setTimeout(resolve, 20));
  yield '{"type":"RECORD",\n';
})();
try {
  await runTargetStream({
    sink: new MemorySink(),
    input,
    output: new MessageWriter(new Writable({ write: (_data, _encoding, done) => done() })),
    log: createLogger({ name: 'failing-input-run', level: 'error', write: () => undefined }),
    policy: { maxAgeMs: 3_600_000, stateFlush: 'when-empty' },
  });
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
}
