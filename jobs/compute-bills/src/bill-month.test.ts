import { expect } from 'chai';
import { billFolders, resolveBillMonth } from './bill-month.js';

describe('compute-bills: the month billed', () => {
  const now = new Date('2026-01-15T08:00:00Z');

  it('resolves current, previous and YYYY-MM in UTC; the dated copy is today, or the last day of a closed month', () => {
    expect(resolveBillMonth('current', now)).to.deep.equal({
      month: '2026-01',
      start: new Date('2026-01-01T00:00:00Z'),
      end: new Date('2026-02-01T00:00:00Z'),
      asOf: '2026-01-15',
    });
    expect(resolveBillMonth('previous', now)).to.deep.include({ month: '2025-12', asOf: '2025-12-31' });
    expect(resolveBillMonth('2024-02', now)).to.deep.include({ month: '2024-02', asOf: '2024-02-29', end: new Date('2024-03-01T00:00:00Z') });
  });

  it('refuses a month that has not started and a malformed one', () => {
    expect(() => resolveBillMonth('2026-02', now)).to.throw(/has not started yet/);
    expect(() => resolveBillMonth('2026-13', now)).to.throw(/not current, previous or YYYY-MM/);
  });

  it('files bills under <prefix><YYYY>/<MM>/ and <YYYY>/<MM>/<DD>/', () => {
    const month = resolveBillMonth('current', now);
    expect(billFolders(month, '')).to.deep.equal({ monthly: '2026/01/', dated: '2026/01/15/' });
    expect(billFolders(month, 'bills')).to.deep.equal({ monthly: 'bills/2026/01/', dated: 'bills/2026/01/15/' });
  });
});
