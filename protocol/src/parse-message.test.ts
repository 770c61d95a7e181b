import { expect } from 'chai';
import { parseMessage } from './parse-message.js';
import { ProtocolError } from './protocol-error.js';

function problem(text: string): ProtocolError {
  try {
    parseMessage(text, 7);
  } catch (error) {
    expect(error).to.be.instanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('parseMessage', () => {
  it('reads each message type', () => {
    expect(parseMessage('{"type":"SCHEMA","stream":"s","schema":{"properties":{}},"key_properties":[]}', 1).type).to.equal('SCHEMA');
    expect(parseMessage('{"type":"RECORD","stream":"s","record":{"a":1},"version":3}', 1)).to.deep.equal({
      type: 'RECORD',
      stream: 's',
      record: { a: 1 },
      version: 3,
    });
    expect(parseMessage('{"type":"STATE","value":null}', 1).type).to.equal('STATE');
    expect(parseMessage('{"type":"ACTIVATE_VERSION","stream":"s","version":1}', 1).type).to.equal('ACTIVATE_VERSION');
  });

  it('reads a SCHEMA without key_properties as key-less, as the Meltano SDK and its test streams do', () => {
    expect(parseMessage('{"type":"SCHEMA","stream":"s","schema":{"properties":{}}}', 1)).to.deep.include({ key_properties: [] });
  });

  const failures: [string, string, string][] = [
    ['{"type":"RECORD",', 'malformed-json', 'line 7: malformed JSON'],
    ['[1,2]', 'not-an-object', 'line 7: expected a JSON object, got an array'],
    ['{"type":"BOGUS","stream":"s"}', 'unknown-type', 'line 7: stream "s": unknown message type "BOGUS"'],
    ['{"stream":"s"}', 'missing-field', 'line 7: stream "s": message is missing "type"'],
    ['{"type":"RECORD","stream":"s"}', 'missing-field', 'line 7: stream "s": RECORD message is missing "record"'],
    ['{"type":"RECORD","record":{}}', 'missing-field', 'line 7: RECORD message is missing "stream"'],
    ['{"type":"RECORD","stream":"s","record":[]}', 'invalid-field', 'line 7: stream "s": "record" must be an object'],
    ['{"type":"SCHEMA","stream":"s","schema":{},"key_properties":"id"}', 'invalid-field', '"key_properties" must be an array of strings'],
    ['{"type":"STATE"}', 'missing-field', 'STATE message is missing "value"'],
    ['{"type":"ACTIVATE_VERSION","stream":"s","version":"1"}', 'invalid-field', '"version" must be a number'],
  ];
  for (const [text, code, message] of failures) {
    it(`fails ${text} with ${code}`, () => {
      const error = problem(text);
      expect(error.code).to.equal(code);
      expect(error.line).to.equal(7);
      expect(error.message).to.contain(message);
    });
  }
});
