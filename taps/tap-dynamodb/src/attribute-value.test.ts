import { expect } from 'chai';
import { ExactNumber, serializeJson } from '@observes/protocol';
import { attributeToJson, itemToRecord, parseDynamoNumber } from './attribute-value.js';

describe('DynamoDB attribute values to JSON', () => {
  it('keeps all 38 digits of big numbers and gives doubles for the rest', () => {
    const big = parseDynamoNumber('-98765432109876543210987654321098765432');
    expect(big).to.be.instanceOf(ExactNumber);
    expect((big as ExactNumber).value).to.equal('-98765432109876543210987654321098765432');
    expect((parseDynamoNumber('1234567890123456789.0123456789012345678') as ExactNumber).value).to.equal('1234567890123456789.0123456789012345678');
    expect(parseDynamoNumber('42')).to.equal(42);
    expect(parseDynamoNumber('2.5')).to.equal(2.5);
  });

  it('normalises number text DynamoDB accepts but JSON does not, without changing the value', () => {
    expect(['+5', '.5', '5.', '007', '-0.250', '1E+2', '1e-2'].map((t) => serializeJson(parseDynamoNumber(t)))).to.deep.equal([
      '5',
      '0.5',
      '5',
      '7',
      '-0.25',
      '100',
      '0.01',
    ]);
    expect(() => parseDynamoNumber('abc')).to.throw(/not a DynamoDB number/);
    expect(() => parseDynamoNumber('.')).to.throw(/not a DynamoDB number/);
  });

  it('maps every attribute type', () => {
    const record = itemToRecord({
      s: { S: 'text' },
      n: { N: '12345678901234567890' },
      b: { B: Buffer.from([0, 1, 254, 255]) },
      yes: { BOOL: true },
      nothing: { NULL: true },
      ss: { SS: ['a', 'b'] },
      ns: { NS: ['1', '2.5', '99999999999999999999999999999999999999'] },
      bs: { BS: [Buffer.from('hi'), Buffer.from([255])] },
      m: { M: { deep: { M: { list: { L: [{ N: '1' }, { S: 'two' }, { NULL: true }, { L: [] }] } } } } },
    });
    expect(serializeJson(record)).to.equal(
      '{"s":"text","n":12345678901234567890,"b":"AAH+/w==","yes":true,"nothing":null,"ss":["a","b"],' +
        '"ns":[1,2.5,99999999999999999999999999999999999999],"bs":["aGk=","/w=="],"m":{"deep":{"list":[1,"two",null,[]]}}}',
    );
  });

  it('refuses attribute types it does not know', () => {
    expect(() => attributeToJson({ $unknown: ['X', 1] } as never)).to.throw(/unknown DynamoDB attribute type/);
  });
});
