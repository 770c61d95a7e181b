import { expect } from 'chai';
import { ExactNumber } from '@observes/protocol';
import { scalarColumnType } from './column-type.js';

describe('scalarColumnType of integers', () => {
  const decimal = { kind: 'decimal', precision: 38, scale: 0 };
  it('keeps bigint for bounds bigint holds, compared exactly', () => {
    expect(scalarColumnType({ type: 'integer', maximum: new ExactNumber('9223372036854775807') as never })).to.deep.equal({ kind: 'bigint' });
    expect(scalarColumnType({ type: 'integer', minimum: new ExactNumber('-9223372036854775808') as never })).to.deep.equal({ kind: 'bigint' });
    expect(scalarColumnType({ type: 'integer', minimum: 0, maximum: 1000 })).to.deep.equal({ kind: 'bigint' });
  });

  it('takes decimal(38,0) for a bound one past bigint, which a double cannot tell from the last bigint', () => {
    expect(scalarColumnType({ type: 'integer', maximum: new ExactNumber('9223372036854775808') as never })).to.deep.equal(decimal);
    expect(scalarColumnType({ type: 'integer', minimum: new ExactNumber('-9223372036854775809') as never })).to.deep.equal(decimal);
    // As a JavaScript number 2^63 - 1 is 2^63 already: counted as outside, the exact column is the safe side.
    expect(scalarColumnType({ type: 'integer', maximum: 2 ** 63 })).to.deep.equal(decimal);
    expect(scalarColumnType({ type: 'integer', maximum: 1e30 })).to.deep.equal(decimal);
  });
});
