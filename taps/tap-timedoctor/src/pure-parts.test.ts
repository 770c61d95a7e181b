import { expect } from 'chai';
import type { S3Manifest } from '@observes/target-core';
import { backupHasWholeStream } from './backup-store.js';
import { apiTime, dateWindows, monthsBetween, parseDayOrInstant } from './date-windows.js';
import { fullTableRange, incrementalRange } from './extraction-range.js';
import { activityRecord, worklogRecord } from './record-shapes.js';
import { planRefresh } from './refresh-plan.js';

const w = (from: string, to: string) => ({ from: parseDayOrInstant(from), to: parseDayOrInstant(to) });
const text = (windows: { from: Date; to: Date }[]) => windows.map((x) => `${apiTime(x.from)}..${apiTime(x.to)}`);
const RANGE = { lookback_days: 3, api_history_months: 3 };

describe('tap-timedoctor pure parts', () => {
  it('dateWindows: at most N days, aligned on the month, never across a month boundary, covering the range exactly', () => {
    expect(text(dateWindows(w('2026-01-29', '2026-02-17T06:00:00Z'), 7))).to.deep.equal([
      '2026-01-29T00:00:00Z..2026-02-01T00:00:00Z',
      '2026-02-01T00:00:00Z..2026-02-08T00:00:00Z',
      '2026-02-08T00:00:00Z..2026-02-15T00:00:00Z',
      '2026-02-15T00:00:00Z..2026-02-17T06:00:00Z',
    ]);
    // A range starting mid-slot ends that slot where every run ends it, so reruns ask for the same windows.
    expect(text(dateWindows(w('2026-03-10T12:00:00Z', '2026-03-16'), 7))).to.deep.equal([
      '2026-03-10T12:00:00Z..2026-03-15T00:00:00Z',
      '2026-03-15T00:00:00Z..2026-03-16T00:00:00Z',
    ]);
    expect(dateWindows(w('2026-03-10', '2026-03-10'), 7)).to.deep.equal([]);
    // 31-day windows: one per month, whatever its length (February of a leap year included).
    expect(text(dateWindows(w('2028-01-01', '2028-04-01'), 31))).to.deep.equal([
      '2028-01-01T00:00:00Z..2028-02-01T00:00:00Z',
      '2028-02-01T00:00:00Z..2028-03-01T00:00:00Z',
      '2028-03-01T00:00:00Z..2028-04-01T00:00:00Z',
    ]);
    expect(monthsBetween('2026-11', '2027-02')).to.deep.equal(['2026-11', '2026-12', '2027-01', '2027-02']);
  });

  it('incrementalRange: from the bookmark minus the lookback, never before start_date; first runs from the API window', () => {
    const now = new Date('2026-07-15T12:00:00Z');
    expect(text([incrementalRange(RANGE, now, undefined)])).to.deep.equal(['2026-05-01T00:00:00Z..2026-07-15T12:00:00Z']);
    expect(text([incrementalRange({ ...RANGE, start_date: '2026-07-01' }, now, '2026-07-10T00:00:00.000Z')])).to.deep.equal([
      '2026-07-07T00:00:00Z..2026-07-15T12:00:00Z',
    ]);
    expect(text([incrementalRange({ ...RANGE, start_date: '2026-07-09' }, now, '2026-07-10T00:00:00.000Z')])).to.deep.equal([
      '2026-07-09T00:00:00Z..2026-07-15T12:00:00Z',
    ]);
    expect(text([incrementalRange({ ...RANGE, end_date: '2027-01-01' }, now, undefined)]), 'never past now').to.deep.equal([
      '2026-05-01T00:00:00Z..2026-07-15T12:00:00Z',
    ]);
  });

  it('fullTableRange: a month (the current one until now); else from the oldest backup or the API window, whichever is older', () => {
    const now = new Date('2026-07-15T12:00:00Z');
    expect(text([fullTableRange({ ...RANGE, month: '2026-02' }, now)])).to.deep.equal(['2026-02-01T00:00:00Z..2026-03-01T00:00:00Z']);
    expect(text([fullTableRange({ ...RANGE, month: '2026-07' }, now)])).to.deep.equal(['2026-07-01T00:00:00Z..2026-07-15T12:00:00Z']);
    expect(() => fullTableRange({ ...RANGE, month: '2026-08' }, now)).to.throw('month 2026-08 has not started yet');
    expect(text([fullTableRange(RANGE, now, '2025-11')])).to.deep.equal(['2025-11-01T00:00:00Z..2026-07-15T12:00:00Z']);
    expect(text([fullTableRange(RANGE, now, '2026-06')])).to.deep.equal(['2026-05-01T00:00:00Z..2026-07-15T12:00:00Z']);
  });

  it('planRefresh: the API for its months (winning over their backups), backups before, the API for unbacked older months', () => {
    const plan = planRefresh({
      range: w('2026-01-15', '2026-07-15T12:00:00Z'),
      apiHistoryMonths: 3,
      backupMonths: new Set(['2026-01', '2026-02', '2026-04', '2026-05']),
      now: new Date('2026-07-15T12:00:00Z'),
    });
    expect(plan.map((p) => `${p.month} ${p.source}${p.beyondApiWindow ? ' (beyond)' : ''}`)).to.deep.equal([
      '2026-01 backup',
      '2026-02 backup',
      '2026-03 api (beyond)',
      '2026-04 backup',
      '2026-05 api',
      '2026-06 api',
      '2026-07 api',
    ]);
    expect(text(plan.map((p) => p.window))).to.include.members(['2026-01-15T00:00:00Z..2026-02-01T00:00:00Z', '2026-07-01T00:00:00Z..2026-07-15T12:00:00Z']);
  });

  it('worklogRecord adds end and company; activityRecord drops signed URLs at any depth and keeps the rest', () => {
    expect(worklogRecord({ userId: 'u1', start: '2026-01-31T23:30:00.000Z', time: 3600 }, 'c1')).to.deep.equal({
      userId: 'u1',
      start: '2026-01-31T23:30:00.000Z',
      time: 3600,
      end: '2026-02-01T00:30:00.000Z',
      company_id: 'c1',
    });
    const signed = 'https://storage.googleapis.com/b/k.jpg?X-Goog-Algorithm=GOOG4&X-Goog-Signature=abc';
    expect(
      activityRecord({ id: 'f1', url: signed, page: 'https://example.com/docs?q=1', nested: { thumb: signed, n: 1 }, list: [signed, 'x'] }, 'c1'),
    ).to.deep.equal({ id: 'f1', page: 'https://example.com/docs?q=1', nested: { n: 1 }, list: ['x'], company_id: 'c1' });
  });

  it("backupHasWholeStream: only when the manifest's STATE names the version the manifest lists", () => {
    const manifest = (version: number | undefined, stateVersion: number | undefined): S3Manifest => ({
      manifest_version: 1,
      run_id: '2026-01',
      created_at: '2026-02-01T02:00:00Z',
      format: 'jsonl.gz',
      streams: { worklogs: { schema: {}, key_properties: [], ...(version === undefined ? {} : { version }), files: [] } },
      state: { bookmarks: { worklogs: stateVersion === undefined ? {} : { version: stateVersion } } },
    });
    expect(backupHasWholeStream(manifest(5, 5), 'worklogs')).to.equal(true);
    expect(backupHasWholeStream(manifest(5, 4), 'worklogs'), "the previous run's version: this run did not finish").to.equal(false);
    expect(backupHasWholeStream(manifest(undefined, 4), 'worklogs')).to.equal(false);
    expect(backupHasWholeStream(manifest(5, 5), 'users'), 'a stream not in the backup').to.equal(false);
    expect(backupHasWholeStream({ ...manifest(5, 5), format: 'csv.gz' }, 'worklogs'), 'flattened CSV is not replayable as records').to.equal(false);
  });
});
