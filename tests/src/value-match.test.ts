import { expect } from 'chai';
import { ExactNumber } from '@observes/protocol';
import { canonicalDecimal, describeValue, matchesExpected } from './value-match.js';

describe('canonicalDecimal', () => {
  const cases: [string, string | undefined][] = [
    ['0', '0'],
    ['-0.000', '0'],
    ['007', '7'],
    ['100.10', '100.1'],
    ['1e-7', '0.0000001'],
    ['1.5E+3', '1500'],
    ['-2.50e1', '-25'],
    ['123456789012345678901234567890', '123456789012345678901234567890'],
    ['-98765432109876.54321098765432109876543000', '-98765432109876.54321098765432109876543'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['', undefined],
    ['.', undefined],
    ['abc', undefined],
    ['1e', undefined],
  ];
  for (const [input, output] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(output)}`, () => expect(canonicalDecimal(input)).to.equal(output));
  }
});

describe('matchesExpected', () => {
  it('compares text byte for byte', () => {
    expect(matchesExpected('a\tb', 'a\tb')).to.equal(true);
    expect(matchesExpected('a\tb ', 'a\tb')).to.equal(false);
    expect(matchesExpected('', '')).to.equal(true);
    expect(matchesExpected(null, '')).to.equal(false);
  });

  it('treats null and absent alike, and nothing else as null', () => {
    expect(matchesExpected(undefined, null)).to.equal(true);
    expect(matchesExpected(null, null)).to.equal(true);
    expect(matchesExpected('', null)).to.equal(false);
    expect(matchesExpected(0, null)).to.equal(false);
  });

  it('compares numbers and decimals exactly, whatever their stored form', () => {
    expect(matchesExpected('7', 7)).to.equal(true);
    expect(matchesExpected(7, 7)).to.equal(true);
    expect(matchesExpected('7.000', 7)).to.equal(true);
    expect(matchesExpected(new ExactNumber('123456789012345678901234567890'), { decimal: '123456789012345678901234567890' })).to.equal(true);
    // A double cannot tell these apart; the comparison must.
    // biome-ignore lint/correctness/noPrecisionLoss: the double is the point: it must not match the exact decimal
    expect(matchesExpected(123456789012345678901234567890, { decimal: '123456789012345678901234567890' })).to.equal(false);
    expect(matchesExpected('9007199254740992', { decimal: '9007199254740993' })).to.equal(false);
    expect(matchesExpected(10n, { decimal: '10.0' })).to.equal(true);
    expect(matchesExpected('ten', { decimal: '10' })).to.equal(false);
  });

  it('compares booleans across spellings', () => {
    expect(matchesExpected(true, true)).to.equal(true);
    expect(matchesExpected('t', true)).to.equal(true);
    expect(matchesExpected('false', false)).to.equal(true);
    expect(matchesExpected(false, true)).to.equal(false);
    expect(matchesExpected('maybe', false)).to.equal(false);
  });

  it('compares instants, dates and times by meaning', () => {
    expect(matchesExpected(new Date('2024-03-10T10:34:56.789Z'), { instant: '2024-03-10T12:34:56.789+02:00' })).to.equal(true);
    expect(matchesExpected('2024-03-10 10:34:56.789+00', { instant: '2024-03-10T10:34:56.789Z' })).to.equal(true);
    expect(matchesExpected('2024-03-10T10:34:56.789Z', { instant: '2024-03-10T10:34:56.788Z' })).to.equal(false);
    expect(matchesExpected('2024-02-29', { date: '2024-02-29' })).to.equal(true);
    expect(matchesExpected(new Date(2024, 1, 29), { date: '2024-02-29' })).to.equal(true);
    expect(matchesExpected('13:45:30', { time: '13:45:30' })).to.equal(true);
    expect(matchesExpected('23:59:59.250', { time: '23:59:59.25' })).to.equal(true);
    expect(matchesExpected('23:59:59', { time: '23:59:59.25' })).to.equal(false);
  });

  it('describes values for messages', () => {
    expect(describeValue(new ExactNumber('1.000000000000000000001'))).to.equal('1.000000000000000000001');
    expect(describeValue(undefined)).to.equal('undefined');
  });
});
