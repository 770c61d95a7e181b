import { expect } from 'chai';
import { completeDays, resultWindows, RESULTS_RETENTION_SECONDS } from './result-windows.js';

const H = 3600;

describe('resultWindows', () => {
  it('covers [from, end) with consecutive windows of at most the span', () => {
    expect(resultWindows(0, 13 * H, 6 * H)).to.deep.equal([
      { from: 0, to: 6 * H },
      { from: 6 * H, to: 12 * H },
      { from: 12 * H, to: 13 * H },
    ]);
  });

  it('floors a fractional start to the second, and is empty when there is nothing to read', () => {
    expect(resultWindows(10.7, 20, 6 * H)).to.deep.equal([{ from: 10, to: 20 }]);
    expect(resultWindows(20, 20, 6 * H)).to.deep.equal([]);
    expect(resultWindows(30, 20, 6 * H)).to.deep.equal([]);
  });

  it('starts no earlier than the 30-day retention', () => {
    const end = 100 * 86_400;
    expect(resultWindows(0, end, 24 * H)[0].from).to.equal(end - RESULTS_RETENTION_SECONDS);
  });
});

describe('completeDays', () => {
  it('lists the UTC days from the first one that ended by the given instant', () => {
    expect(completeDays('2024-05-30', Date.parse('2024-06-01T00:00:00Z'))).to.deep.equal(['2024-05-30', '2024-05-31']);
    expect(completeDays('2024-05-30', Date.parse('2024-05-31T23:59:59Z'))).to.deep.equal(['2024-05-30']);
    expect(completeDays('2024-06-01', Date.parse('2024-06-01T12:00:00Z'))).to.deep.equal([]);
  });
});
