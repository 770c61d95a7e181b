import { expect } from 'chai';
import { Readable } from 'node:stream';
import { readMessages } from './message-reader.js';
import { ProtocolError } from './protocol-error.js';
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
    expect(bad.message).to.equal('line 2: stream "jobs": record breaks its schema at /author/name: must be string');
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
});
