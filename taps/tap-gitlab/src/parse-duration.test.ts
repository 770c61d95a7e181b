import { expect } from 'chai';
import { parseDuration } from './parse-duration.js';

describe('parseDuration', () => {
  it('reads hours, minutes, seconds, days, weeks and combinations', () => {
    expect(parseDuration('8h')).to.equal(8 * 3600_000);
    expect(parseDuration('90m')).to.equal(90 * 60_000);
    expect(parseDuration('45s')).to.equal(45_000);
    expect(parseDuration('2d')).to.equal(2 * 86_400_000);
    expect(parseDuration('1w')).to.equal(7 * 86_400_000);
    expect(parseDuration('1h30m')).to.equal(90 * 60_000);
    expect(parseDuration(' 1.5H ')).to.equal(90 * 60_000);
  });

  it('refuses text that is not a positive duration, naming it', () => {
    for (const text of ['', '8', 'h', '8 hours', '8h!', '0h', '-1h']) {
      expect(() => parseDuration(text), text).to.throw(`"${text}"`);
    }
  });
});
