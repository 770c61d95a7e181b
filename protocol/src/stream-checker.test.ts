import { expect } from 'chai';
import { Readable } from 'node:stream';
import { readMessages } from './message-reader.js';
import { ProtocolError } from './protocol-error.js';
import { RecordValidator } from './record-validator.js';
import { StreamChecker } from './stream-checker.js';

const schema = JSON.stringify({
  type: 'SCHEMA',
  stream: 'jobs',
  key_properties: ['id'],
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      big: { type: ['null', 'integer'] },
      at: { type: ['null', 'string'], format: 'date-time' },
      author: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    },
  },
});

async function run(lines: string[], options = {}): Promise<StreamChecker> {
  const checker = new StreamChecker(options);
  for await (const read of readMessages(Readable.from([lines.join('\n')]))) checker.check(read);
  return checker;
}

async function failure(lines: string[]): Promise<ProtocolError> {
  try {
    await run(lines);
  } catch (error) {
    expect(error).to.be.instanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected the stream to fail');
}

describe('StreamChecker', () => {
  it('accepts a valid stream and counts per stream', async () => {
    const checker = await run([
      schema,
      '{"type":"RECORD","stream":"jobs","record":{"id":1,"big":123456789012345678901234567890,"at":"2024-01-01T00:00:00Z","author":{"name":"a"}}}',
      '{"type":"STATE","value":{"bookmarks":{}}}',
      '{"type":"RECORD","stream":"jobs","record":{"id":2,"author":{"name":"b"}},"version":5}',
      '{"type":"ACTIVATE_VERSION","stream":"jobs","version":5}',
    ]);
    expect(checker.summary()).to.deep.equal([{ stream: 'jobs', schemas: 1, records: 2, versions: 1, keyProperties: ['id'] }]);
    expect(checker.states).to.equal(1);
  });

  it('rejects a RECORD before its SCHEMA', async () => {
    const error = await failure(['{"type":"RECORD","stream":"jobs","record":{"id":1}}']);
    expect(error.message).to.equal('line 1: stream "jobs": RECORD before any SCHEMA for this stream');
  });

  it('rejects a record missing a key property', async () => {
    const error = await failure([schema, '', '{"type":"RECORD","stream":"jobs","record":{"author":{"name":"a"}}}']);
    expect(error.message).to.equal('line 3: stream "jobs": record is missing key property "id"');
  });

  it('names the JSON pointer of the field that breaks the schema', async () => {
    const bad = await failure([schema, '{"type":"RECORD","stream":"jobs","record":{"id":1,"author":{"name":5}}}']);
    expect(bad.message).to.equal('line 2: stream "jobs": record breaks its schema at /author/name: must be string (key [1])');
    expect(bad.pointer).to.equal('/author/name');
    const missing = await failure([schema, '{"type":"RECORD","stream":"jobs","record":{"id":1,"author":{}}}']);
    expect(missing.message).to.contain('at /author/name: must have required property');
    const format = await failure([schema, '{"type":"RECORD","stream":"jobs","record":{"id":1,"at":"yesterday","author":{"name":"x"}}}']);
    expect(format.message).to.contain('at /at: must match format "date-time"');
  });

  it('checks exact numbers against their type', async () => {
    const error = await failure([schema, '{"type":"RECORD","stream":"jobs","record":{"id":1,"big":1.00000000000000000000001,"author":{"name":"a"}}}']);
    expect(error.message).to.contain('at /big: must be null,integer');
  });

  it('rejects an invalid schema and a key outside the properties', async () => {
    const invalid = await failure(['{"type":"SCHEMA","stream":"s","key_properties":[],"schema":{"type":"object","properties":{"a":{"type":"nonsense"}}}}']);
    expect(invalid.code).to.equal('invalid-schema');
    expect(invalid.message).to.match(/^line 1: stream "s": invalid schema: /);
    const key = await failure(['{"type":"SCHEMA","stream":"s","key_properties":["id"],"schema":{"type":"object","properties":{"a":{"type":"string"}}}}']);
    expect(key.message).to.equal('line 1: stream "s": invalid schema: key property "id" is not among its properties');
  });

  it('accepts a schema with no properties', async () => {
    const checker = await run(['{"type":"SCHEMA","stream":"e","key_properties":[],"schema":{}}', '{"type":"RECORD","stream":"e","record":{"anything":[1]}}']);
    expect(checker.summary()[0].records).to.equal(1);
  });

  it('skips record validation when asked, but still checks keys', async () => {
    const lines = [schema, '{"type":"RECORD","stream":"jobs","record":{"id":"not an int"}}'];
    await run(lines, { validateRecords: false });
    try {
      await run([schema, '{"type":"RECORD","stream":"jobs","record":{}}'], { validateRecords: false });
      expect.fail('should have thrown');
    } catch (error) {
      expect((error as ProtocolError).code).to.equal('missing-key-property');
    }
  });

  it('accepts naive date-times and times (read as UTC), and refuses dates that do not exist', async () => {
    const record = (at: string) => `{"type":"RECORD","stream":"jobs","record":{"id":1,"at":"${at}","author":{"name":"a"}}}`;
    await run([schema, record('2024-02-29T10:00:00'), record('2024-02-29 10:00:00.123456'), record('2024-01-01T00:00:00+05:30')]);
    for (const at of [
      '2023-02-29T00:00:00Z',
      '2024-02-30T00:00:00',
      '0000-01-01T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:00:00+16:00',
    ]) {
      expect((await failure([schema, record(at)])).message, at).to.equal(
        'line 2: stream "jobs": record breaks its schema at /at: must match format "date-time" (key [1])',
      );
    }
  });

  it('refuses NUL characters and lone surrogates in values and property names, naming the key and the pointer', async () => {
    const nul = await failure([schema, '{"type":"RECORD","stream":"jobs","record":{"id":7,"author":{"name":"a\\u0000b"}}}']);
    expect([nul.code, nul.pointer]).to.deep.equal(['invalid-text', '/author/name']);
    expect(nul.message).to.equal(
      'line 2: stream "jobs": record at /author/name: the string holds a NUL character (U+0000), which Redshift and PostgreSQL cannot store (key [7])',
    );
    const surrogate = await failure([schema, '{"type":"RECORD","stream":"jobs","record":{"id":8,"author":{"name":"x"},"tags":["ok","\\ud800"]}}']);
    expect([surrogate.code, surrogate.pointer]).to.deep.equal(['invalid-text', '/tags/1']);
    const name = await failure([schema, '{"type":"RECORD","stream":"jobs","record":{"id":9,"author":{"name":"x"},"we\\u0000ird":1}}']);
    expect(name.message).to.contain('at /we\u0000ird: the property name holds a NUL character');
    // An escaped backslash before "u0000" is text, not a NUL.
    await run([schema, '{"type":"RECORD","stream":"jobs","record":{"id":1,"author":{"name":"\\\\u0000 and \\\\ud800"}}}']);
  });

  it('replaces NUL characters and lone surrogates with U+FFFD when asked, counting them', async () => {
    const checker = new StreamChecker({ invalidText: 'replace' });
    const reads = [];
    for await (const read of readMessages(
      Readable.from([[schema, '{"type":"RECORD","stream":"jobs","record":{"id":7,"author":{"name":"a\\u0000b\\ud800"},"x\\u0000":1}}'].join('\n')]),
    )) {
      checker.check(read);
      reads.push(read);
    }
    expect((reads[1].message as { record: unknown }).record).to.deep.equal({ id: 7, author: { name: 'a\uFFFDb\uFFFD' }, 'x\uFFFD': 1 });
    expect(checker.replacedText).to.equal(3);
  });

  it('validates records of schemas with thousands of properties (ajv overflowed the stack from ~1,580)', async () => {
    const properties = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`f${i}`, { type: 'integer' }]));
    const wide = JSON.stringify({ type: 'SCHEMA', stream: 'wide', key_properties: [], schema: { type: 'object', properties } });
    const record = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`f${i}`, i]));
    const validator = new RecordValidator();
    await run([wide, JSON.stringify({ type: 'RECORD', stream: 'wide', record })], { validator });
    const error = await run([wide, JSON.stringify({ type: 'RECORD', stream: 'wide', record: { ...record, f1999: 'x' } })], { validator }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).to.equal('line 2: stream "wide": record breaks its schema at /f1999: must be integer');
  });

  it("checks numbers beyond a double's range by their integer-ness, not as Infinity", async () => {
    const numbers = '{"type":"SCHEMA","stream":"n","key_properties":[],"schema":{"type":"object","properties":{"i":{"type":"integer"},"x":{"type":"number"}}}}';
    await run([numbers, '{"type":"RECORD","stream":"n","record":{"i":1e400,"x":-1.5e400}}']);
    expect((await failure([numbers, '{"type":"RECORD","stream":"n","record":{"i":1.5e-400}}'])).message).to.contain('at /i: must be integer');
  });
});
