import { expect } from 'chai';
import { Readable } from 'node:stream';
import { ProtocolError, StreamChecker, readMessages, type ReadMessage } from '@observes/protocol';
import { loadCanonicalStreams } from './stream-expectation.js';

const REQUIRED = [
  'arrays',
  'date-time-unions',
  'date-times',
  'duplicates',
  'empty-schema',
  'encoded-strings',
  'full-table-versions',
  'generated-names',
  'invalid-schema',
  'large-numbers',
  'lone-surrogate',
  'malformed-json',
  'missing-key-property',
  'multiple-states',
  'naive-date-times',
  'name-collisions',
  'nested-objects',
  'no-primary-keys',
  'nul-character',
  'optional-attributes',
  'primary-key-updates',
  'record-before-schema',
  'schema-updates',
  'special-names',
];

/** Reads and checks a whole stream with the protocol package, as a target would. */
async function check(text: string): Promise<{ checker: StreamChecker; messages: ReadMessage[] }> {
  const checker = new StreamChecker();
  const messages: ReadMessage[] = [];
  for await (const message of readMessages(Readable.from([Buffer.from(text)]))) {
    checker.check(message);
    messages.push(message);
  }
  return { checker, messages };
}

describe('canonical streams', () => {
  const streams = loadCanonicalStreams();

  it('are all present, each with an expectation', () => {
    expect(streams.map((s) => s.name)).to.deep.equal(REQUIRED);
  });

  for (const stream of streams) {
    const { expectation } = stream;
    if (expectation.error) {
      const error = expectation.error;
      it(`${stream.name}: fails at line ${error.line} with ${error.problem}`, async () => {
        const failure = await check(stream.text).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(failure).to.be.instanceOf(ProtocolError);
        expect((failure as ProtocolError).line).to.equal(error.line);
        expect((failure as ProtocolError).code).to.equal(error.problem);
        expect((failure as ProtocolError).message).to.contain(`line ${error.line}`);
      });
    } else {
      it(`${stream.name}: is valid, ends with a STATE and counts its records right`, async () => {
        const { checker, messages } = await check(stream.text);
        expect(messages.at(-1)?.message.type).to.equal('STATE');
        const counts = Object.fromEntries(checker.summary().map((s) => [s.stream, s.records]));
        const expected = Object.fromEntries(Object.entries(expectation.streams ?? {}).map(([name, e]) => [name, e.records]));
        expect(counts).to.deep.equal(expected);
        for (const [name, e] of Object.entries(expectation.streams ?? {})) {
          expect(e.rows, `${name}: rows`).to.be.at.most(e.records);
          expect(e.activeRows ?? e.rows, `${name}: activeRows`).to.be.at.most(e.rows);
        }
      });
    }
  }
});
