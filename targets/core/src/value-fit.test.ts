import { expect } from 'chai';
import { ExactNumber } from '@observes/protocol';
import { decimalShape, fits, mergeTypes, plainDecimal, variantFor, widen } from './value-fit.js';

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

describe('integers widen exactly, never through a double', () => {
  it('widens bigint to the numeric holding 1e20, or a fraction, keeping 19 integer digits', () => {
    expect(widen({ kind: 'bigint' }, 1e20)).to.deep.equal({ kind: 'decimal', precision: 21, scale: 0 });
    expect(widen({ kind: 'bigint' }, 7.25)).to.deep.equal({ kind: 'decimal', precision: 21, scale: 2 });
    expect(widen({ kind: 'decimal', precision: 21, scale: 1 }, 20.25)).to.deep.equal({ kind: 'decimal', precision: 22, scale: 2 });
    expect(widen({ kind: 'bigint' }, new ExactNumber('1.0000000000000000000001'))).to.equal(undefined);
    expect(widen({ kind: 'decimal', precision: 38, scale: 0 }, new ExactNumber('1' + '0'.repeat(38)))).to.equal(undefined);
  });

  it('sends integers beyond 38 digits to a string variant as their exact text, and measures 1e400 without expanding it', () => {
    expect(decimalShape('1e400')).to.deep.equal({ intDigits: 401, fracDigits: 0 });
    expect(decimalShape('1e999999999').intDigits).to.equal(1e9);
    expect(fits({ kind: 'bigint' }, new ExactNumber('1e400'))).to.equal(false);
    expect(variantFor(new ExactNumber('1e400')).suffix).to.equal('string');
    expect(fits({ kind: 'bigint' }, new ExactNumber('9223372036854775807'))).to.equal(true);
    expect(fits({ kind: 'bigint' }, new ExactNumber('9223372036854775808'))).to.equal(false);
    expect(fits({ kind: 'bigint' }, new ExactNumber('1234567890123456789.0'))).to.equal(true);
  });

  it('merges column types by the same rules (staging into live tables)', () => {
    expect(mergeTypes({ kind: 'string', bytes: 1024 }, { kind: 'string', bytes: 256 })).to.deep.equal({ kind: 'string', bytes: 1024 });
    expect(mergeTypes({ kind: 'string', bytes: 256 }, { kind: 'string', bytes: 4096 })).to.deep.equal({ kind: 'string', bytes: 4096 });
    expect(mergeTypes({ kind: 'bigint' }, { kind: 'decimal', precision: 10, scale: 0 })).to.deep.equal({ kind: 'bigint' });
    expect(mergeTypes({ kind: 'bigint' }, { kind: 'decimal', precision: 38, scale: 0 })).to.deep.equal({ kind: 'decimal', precision: 38, scale: 0 });
    expect(mergeTypes({ kind: 'decimal', precision: 18, scale: 0 }, { kind: 'bigint' })).to.deep.equal({ kind: 'decimal', precision: 19, scale: 0 });
    expect(mergeTypes({ kind: 'decimal', precision: 20, scale: 2 }, { kind: 'decimal', precision: 5, scale: 4 })).to.deep.equal({
      kind: 'decimal',
      precision: 22,
      scale: 4,
    });
    expect(mergeTypes({ kind: 'bigint' }, { kind: 'double' })).to.equal(undefined);
    expect(mergeTypes({ kind: 'timestamp' }, { kind: 'string', bytes: 256 })).to.equal(undefined);
  });
});

describe('date and time columns take only values they store unchanged', () => {
  it('checks the calendar, the fraction and the zone', () => {
    expect(fits({ kind: 'timestamp' }, '2024-02-29T10:00:00.123456+02:00')).to.equal(true);
    expect(fits({ kind: 'timestamp' }, '2024-02-29 10:00:00')).to.equal(true);
    for (const bad of ['', 'N/A', '2023-02-29T00:00:00Z', '0000-01-01T00:00:00Z', '2024-01-01T00:00:00.1234567Z'])
      expect(fits({ kind: 'timestamp' }, bad), bad).to.equal(false);
    expect(fits({ kind: 'timestamp' }, '2024-01-01T00:00:00.1234560Z')).to.equal(true);
    expect(fits({ kind: 'date' }, '2024-02-30')).to.equal(false);
    expect(fits({ kind: 'time' }, '13:45:30Z')).to.equal(true);
    expect(fits({ kind: 'time' }, '13:45:30+02:00')).to.equal(false);
  });
});
