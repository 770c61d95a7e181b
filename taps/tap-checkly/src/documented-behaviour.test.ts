import { expect } from 'chai';
import { ignoreQuery, throttleFor } from '@observes/testkit';
import { checklyConfigSchema } from './config.js';
import { FakeChecklyApi } from './testing/fake-checkly-api.js';
import { checkId, checklyCheckResult, seedCheckly } from './testing/fake-checkly-data.js';
import { runCheckly } from './testing/run-tap-checkly.js';

const SEED = { checks: 3, resultsPerCheck: 12, minutesApart: 60, lastResultAt: '2024-06-01T11:40:00.000Z' };

describe('tap-checkly against the documented Checkly API', () => {
  it('keeps retry attempts only when asked (resultType), and the fields of current results', async () => {
    const api = await FakeChecklyApi.start();
    try {
      seedCheckly(api, SEED);
      const final = await runCheckly(api);
      expect(final.code, final.stderr).to.equal(0);
      const results = final.records.get('check_results')!;
      expect(results.every((r) => r.resultType === 'FINAL')).to.equal(true);
      const all = await runCheckly(api, { result_type: 'ALL' });
      const attempts = all.records.get('check_results')!.filter((r) => r.resultType === 'ATTEMPT');
      // Check 2's failing runs (two of its twelve) were retried; each first attempt comes too.
      expect(attempts.map((r) => r.id)).to.deep.equal(['result-2-4-attempt', 'result-2-9-attempt']);
      expect(api.server.requests.filter((r) => r.path.startsWith('/v2/')).at(-1)!.query.resultType).to.equal('ALL');

      const multiStep = results.find((r) => r.checkId === checkId(3))!;
      expect(multiStep.multiStepCheckResult).to.deep.include({ runtimeVersion: '2024.02' });
      expect(multiStep.apiCheckResult).to.equal(null);
      const failing = results.find((r) => r.hasFailures === true)!;
      expect(failing.isCancelled).to.equal(false);
      expect(failing.traceId).to.match(/^trace-\d+-\d+$/);
      expect(failing.errorGroupIds).to.have.length(1);
      for (const field of ['playwrightCheckResult', 'grpcCheckResult', 'sslCheckResult', 'tracerouteCheckResult', 'agenticCheckResult']) {
        expect(failing, field).to.have.property(field);
      }
    } finally {
      await api.close();
    }
  });

  it('asks for deactivated checks in reports explicitly, whatever the API version defaults to', async () => {
    // An API on the older spec, where an absent `deactivated` meant only activated checks.
    const api = await FakeChecklyApi.start({ deactivatedDefault: 'activated' });
    try {
      seedCheckly(api, SEED);
      api.items('checks')[1] = { ...api.items('checks')[1], activated: false, updated_at: '2024-05-31T20:00:00.000Z' };
      api.addResult(checklyCheckResult(1, 100, '2024-05-31T08:00:00.000Z'));
      api.addResult(checklyCheckResult(2, 100, '2024-05-31T09:00:00.000Z'));
      const config = { start_date: '2024-05-31T00:00:00.000Z' };
      const withDeactivated = await runCheckly(api, config);
      expect(withDeactivated.records.get('reports')!.map((r) => [r.checkId, r.deactivated])).to.deep.equal([
        [checkId(1), false],
        [checkId(2), true],
      ]);
      const onlyActive = await runCheckly(api, { ...config, reports_include_deactivated: false });
      expect(onlyActive.records.get('reports')!.map((r) => r.checkId)).to.deep.equal([checkId(1)]);
    } finally {
      await api.close();
    }
  });

  it('waits out 40 s of bare 429s (Checkly sends no rate-limit header), on a fake clock', async () => {
    const clock = { now: Date.parse('2024-06-01T12:00:00Z') };
    const api = await FakeChecklyApi.start({ behaviours: [throttleFor({ durationMs: 40_000, path: /^\/v2\/check-results\//, now: () => clock.now })] });
    try {
      seedCheckly(api, SEED);
      const run = await runCheckly(api, {}, undefined, undefined, clock);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.records.get('check_results')).to.have.length(3 * 12);
      const backoffs = run.sleeps.filter((ms) => ms >= 100);
      expect(backoffs.reduce((a, b) => a + b)).to.be.at.least(40_000);
      expect(backoffs.length, 'more than the five retries that used to give up after ~31 s').to.be.greaterThan(5);
    } finally {
      await api.close();
    }
  });

  it('fails, naming the page, instead of looping when a listing ignores the page parameter', async () => {
    const api = await FakeChecklyApi.start({ behaviours: [ignoreQuery({ params: ['page'], path: /^\/v1\/dashboards$/ })] });
    try {
      seedCheckly(api, SEED);
      const run = await runCheckly(api);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.contain('/v1/dashboards?').and.to.contain('page 2 has the same 5 items as page 1');
      expect(api.server.requests.filter((r) => r.path === '/v1/dashboards')).to.have.length(2);
    } finally {
      await api.close();
    }
  });

  it("leaves room for the account's other clients by default: half of 600 a minute, under 5 per 10 s on check results", () => {
    const defaults = checklyConfigSchema.properties!;
    expect((defaults.requests_per_second.default as number) * 60).to.be.at.most(300);
    expect((defaults.check_results_requests_per_second.default as number) * 10).to.be.below(5);
    expect(defaults.retry_budget_seconds.default as number, 'a whole 60 s window, with room').to.be.at.least(120);
  });
});
