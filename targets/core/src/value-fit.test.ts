import { expect } from 'chai';
import { ExactNumber } from '@observes/protocol';
import { decimalShape, fits, plainDecimal, widen } from './value-fit.js';

describe('plainDecimal', () => {
  it('writes numbers without exponents, exactly', () => {
    const cases: Array<[string, string]> = [
      ['1e-7', '0.0000001'],
      ['-1.5E3', '-1500'],
      ['1.25e1', '12.5'],
      ['123.456e-2', '1.23456'],
      ['1e21', '1000000000000000000000'],
      ['-0e5', '0'],
      ['0.5', '0.5'],
      ['12345678901234567890.5', '12345678901234567890.5'],
    ];
    for (const [input, expected] of cases) expect(plainDecimal(input), input).to.equal(expected);
  });
});

describe('value fitting', () => {
  it('measures decimals from their exact text', () => {
    expect(decimalShape('-98765432109876.54321098765432109876543')).to.deep.equal({ intDigits: 14, fracDigits: 23 });
    expect(decimalShape('1e-7')).to.deep.equal({ intDigits: 1, fracDigits: 7 });
    expect(decimalShape('100.10')).to.deep.equal({ intDigits: 3, fracDigits: 1 });
  });

  it('never lets a double column take a number a double cannot hold', () => {
    expect(fits({ kind: 'double' }, new ExactNumber('0.12345678901234567890123'))).to.equal(false);
    expect(widen({ kind: 'double' }, new ExactNumber('0.12345678901234567890123'))).to.equal(undefined);
    expect(widen({ kind: 'bigint' }, new ExactNumber('123456789012345678901234567890'))).to.deep.equal({ kind: 'decimal', precision: 30, scale: 0 });
    expect(widen({ kind: 'decimal', precision: 38, scale: 30 }, 123456789.5)).to.equal(undefined);
  });

  it('counts varchar sizes in UTF-8 bytes', () => {
    expect(fits({ kind: 'string', bytes: 256 }, 'é'.repeat(128))).to.equal(true);
    expect(fits({ kind: 'string', bytes: 256 }, 'é'.repeat(129))).to.equal(false);
    expect(widen({ kind: 'string', bytes: 256 }, 'é'.repeat(129))).to.deep.equal({ kind: 'string', bytes: 1024 });
    expect(() => widen({ kind: 'string', bytes: 256 }, 'x'.repeat(65536))).to.throw(/65536 bytes is longer than the 65535-byte maximum/);
  });
});
