import { expect } from 'chai';
import { ExactNumber, serializeJson } from './exact-number.js';
import { parseJsonLossless } from './parse-message.js';

describe('lossless numbers', () => {
  const cases = [
    '9007199254740993',
    '-9223372036854775809',
    '12345678901234567890123456789012345678',
    '0.1234567890123456789012345',
    '3.14159265358979323846264338327950288',
    '1.0000000000000000000000001e-130',
  ];

  for (const token of cases) {
    it(`keeps ${token} exact through parse and serialize`, () => {
      const line = `{"n":${token},"nested":{"list":[1,${token},"${token}"]}}`;
      const value = parseJsonLossless(line) as { n: unknown; nested: { list: unknown[] } };
      expect(value.n).to.be.instanceOf(ExactNumber);
      expect((value.n as ExactNumber).value).to.equal(token);
      expect(value.nested.list[2], 'a digit string stays a string').to.equal(token);
      expect(serializeJson(value)).to.equal(line);
    });
  }

  it('finds unsafe numbers wherever JSON puts a number token', () => {
    const value = parseJsonLossless('{"a" :\n\t12345678901234567890, "b":[ 1,\r\n-1.5e400 ],"c":["0000000000000000000000ff",1e-400]}') as Record<
      string,
      unknown[]
    >;
    expect(String(value.a)).to.equal('12345678901234567890');
    expect(value.b[1]).to.be.instanceOf(ExactNumber);
    expect(String(value.b[1])).to.equal('-1.5e400');
    expect(value.c).to.deep.equal(['0000000000000000000000ff', new ExactNumber('1e-400')]);
    expect(String(parseJsonLossless(' 123456789012345678901'))).to.equal('123456789012345678901');
  });

  it('reads digit and hex runs inside strings as JSON.parse does', () => {
    const line = '{"sha":"0000000000000000000000000000000091e2a3f1","phone":"+3612345678901234567","e":"1e400","n":[12345678901234,2.5e30]}';
    expect(parseJsonLossless(line)).to.deep.equal(JSON.parse(line));
  });

  it('parses numbers a double holds as plain numbers, also on the slow path', () => {
    const value = parseJsonLossless('{"id":"12345678901234567","a":1.5,"b":9007199254740991}') as Record<string, unknown>;
    expect(value).to.deep.equal({ id: '12345678901234567', a: 1.5, b: 9007199254740991 });
  });

  it('gives the same result as JSON.parse on ordinary lines', () => {
    const line = '{"id":42,"name":"a \\"q\\" \\u00e9","at":"2024-01-02T03:04:05Z","x":[1.25,null,true],"o":{"p":-3e5}}';
    expect(parseJsonLossless(line)).to.deep.equal(JSON.parse(line));
  });

  it('serializes ordinary values exactly like JSON.stringify', () => {
    const value = { a: 'x\ny', b: [1, 2.5], c: null, d: { e: '😀' } };
    expect(serializeJson(value)).to.equal(JSON.stringify(value));
  });

  it('knows which exact numbers are integers', () => {
    for (const t of ['12345678901234567890', '1e40', '1.5e1', '-0.0', '120000000000000000000e-3']) expect(new ExactNumber(t).isInteger(), t).to.equal(true);
    for (const t of ['1.00000000000000000001', '1e-40', '1.25e1', '123456789012345678901e-3']) expect(new ExactNumber(t).isInteger(), t).to.equal(false);
    expect(Number.isInteger(new ExactNumber('1.00000000000000000001').toCheckableNumber())).to.equal(false);
  });

  it('rejects text that is not a JSON number', () => {
    expect(() => new ExactNumber('12a')).to.throw(TypeError);
  });
});
