import { expect } from 'chai';
import { FakeChecklyApi } from './testing/fake-checkly-api.js';
import { checklyCheck, checklyCheckResult, checklyCheckStatus, seedCheckly } from './testing/fake-checkly-data.js';
import { runCheckly, type ChecklyRun } from './testing/run-tap-checkly.js';

const LATER = '2024-06-01T18:30:00.000Z';

/** Every `expected` id came once, and nothing else but `boundary` ids (records on the previous bookmark). */
function expectDelta(run: ChecklyRun, stream: string, expected: string[], boundary: string[]): void {
  const got = (run.records.get(stream) ?? []).map((r) => r.id as string);
  expect(new Set(got).size, `${stream}: no record twice`).to.equal(got.length);
  expect(got, `${stream}: every new record`).to.include.members(expected);
  expect(
    got.filter((id) => !expected.includes(id)),
    `${stream}: nothing else but the bookmark's own records`,
  ).to.satisfy((rest: string[]) => rest.every((id) => boundary.includes(id)));
}

describe('tap-checkly differential runs', () => {
  let api: FakeChecklyApi;
  let first: ChecklyRun;

  before(async () => {
    api = await FakeChecklyApi.start();
    // Results every 20 minutes from 00:00 to 11:40 for 3 checks.
    seedCheckly(api, { checks: 3, resultsPerCheck: 36, minutesApart: 20, lastResultAt: '2024-06-01T11:40:00.000Z' });
    // At 12:00 with 10 minutes to settle, the tap reads up to 11:50.
    first = await runCheckly(api, { settle_seconds: 600, results_window_hours: 6 });
  });
  after(() => api.close());

  it('first run: every result up to the settle horizon', () => {
    expect(first.code, first.stderr).to.equal(0);
    expect(first.records.get('check_results')).to.have.length(3 * 36);
  });

  it('second run: only results that are new, including late ones, at the bookmark instant and at a window edge', async () => {
    const added = [
      // Same startedAt as check 1's bookmark, another run (another location).
      checklyCheckResult(1, 100, '2024-06-01T11:40:00.000Z'),
      // Started before the first run's horizon but stored after it: the settle delay is what catches it.
      checklyCheckResult(3, 100, '2024-06-01T11:55:00.000Z'),
      checklyCheckResult(1, 101, '2024-06-01T12:10:00.000Z'),
      // Exactly where the second window starts (11:40 + 6 h).
      checklyCheckResult(1, 102, '2024-06-01T17:40:00.000Z'),
      checklyCheckResult(2, 101, '2024-06-01T18:00:00.000Z', true),
      // A new check and its results: a new partition, read from start_date.
      checklyCheckResult(4, 1, '2024-06-01T03:00:00.000Z'),
      checklyCheckResult(4, 2, '2024-06-01T17:00:00.000Z'),
    ];
    for (const result of added) api.addResult(result);
    api.items('checks').push(checklyCheck(4));
    api.items('check-statuses').push(checklyCheckStatus(4));
    api.items('checks')[1] = { ...api.items('checks')[1], name: 'Renamed check 2', updated_at: '2024-06-01T13:00:00.000Z' };

    const second = await runCheckly(api, { settle_seconds: 600, results_window_hours: 6 }, first.state, LATER);
    expect(second.code, second.stderr).to.equal(0);
    const boundary = [1, 2, 3].map((n) => `result-${n}-35`);
    expectDelta(
      second,
      'check_results',
      added.map((r) => r.id as string),
      boundary,
    );
    expect(second.records.get('checks')!.map((c) => c.name))
      .to.include('Renamed check 2')
      .and.to.include('Check 4');

    const third = await runCheckly(api, { settle_seconds: 600, results_window_hours: 6 }, second.state, LATER);
    expectDelta(third, 'check_results', [], ['result-1-102', 'result-2-101', 'result-3-100', 'result-4-2']);
  });
});
