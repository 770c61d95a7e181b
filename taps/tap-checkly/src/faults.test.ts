import { expect } from 'chai';
import { failRequests, rateLimit } from '@observes/testkit';
import { FakeChecklyApi } from './testing/fake-checkly-api.js';
import { seedCheckly } from './testing/fake-checkly-data.js';
import { runCheckly, type ChecklyRun } from './testing/run-tap-checkly.js';

const SEED = { checks: 4, resultsPerCheck: 36, minutesApart: 20, lastResultAt: '2024-06-01T11:40:00.000Z' };

function keys(run: ChecklyRun): string[] {
  return [...run.records].flatMap(([stream, records]) => records.map((r) => `${stream}:${r.id ?? r.key ?? r.checkId}`));
}

describe('tap-checkly under 429s and 5xx mid-pagination', () => {
  it('recovers with no gap and no duplicate', async () => {
    const clean = await (async () => {
      const api = await FakeChecklyApi.start();
      seedCheckly(api, SEED);
      try {
        return await runCheckly(api);
      } finally {
        await api.close();
      }
    })();
    const api = await FakeChecklyApi.start({
      behaviours: [
        // Checkly's 429s say nothing about when to come back: the client backs off.
        rateLimit({ nth: [2, 3], path: /^\/v2\/check-results\//, retryAfterSeconds: null }),
        failRequests({ nth: [6], path: /^\/v2\/check-results\//, status: 500 }),
        failRequests({ nth: [2], path: /^\/v1\/dashboards$/, status: 502 }),
        // Checks are listed once (they partition check_results): fail that listing's first attempt.
        failRequests({ nth: [1], path: /^\/v1\/checks$/, status: 503 }),
      ],
    });
    try {
      seedCheckly(api, SEED);
      const run = await runCheckly(api);
      expect(run.code, run.stderr).to.equal(0);
      expect(api.server.requests.filter((r) => r.status >= 429)).to.have.length(5);
      expect(keys(run).sort()).to.deep.equal(keys(clean).sort());
      expect(new Set(keys(run)).size).to.equal(keys(run).length);
      // Backoff without server hints: exponential from 1 s, with jitter (the client-side rate limit's waits are ~1 ms).
      const backoffs = run.sleeps.filter((ms) => ms >= 100);
      expect(backoffs).to.have.length(5);
      expect(
        backoffs.every((ms) => ms >= 500 && ms <= 2000),
        `${backoffs}`,
      ).to.equal(true);
    } finally {
      await api.close();
    }
  });

  it('the fake limits check results like Checkly: 429 past the route limit, bare', async () => {
    const api = await FakeChecklyApi.start({ resultsRateLimit: { requests: 2, windowSeconds: 60 } });
    try {
      const get = () => fetch(`${api.apiUrl}/v2/check-results/x`, { headers: { Authorization: 'Bearer cu_fake_key', 'X-Checkly-Account': 'acc-fake' } });
      expect((await get()).status).to.equal(200);
      expect((await get()).status).to.equal(200);
      const limited = await get();
      expect(limited.status).to.equal(429);
      expect(limited.headers.get('retry-after')).to.equal(null);
      // Other routes keep their own budget.
      const checks = await fetch(`${api.apiUrl}/v1/checks`, { headers: { Authorization: 'Bearer cu_fake_key', 'X-Checkly-Account': 'acc-fake' } });
      expect(checks.status).to.equal(200);
    } finally {
      await api.close();
    }
  });

  it('the fake refuses limits over 100, unknown result types and cursors, and a wrong account', async () => {
    const api = await FakeChecklyApi.start();
    try {
      const headers = { Authorization: 'Bearer cu_fake_key', 'X-Checkly-Account': 'acc-fake' };
      expect((await fetch(`${api.apiUrl}/v2/check-results/x?limit=101`, { headers })).status).to.equal(400);
      expect((await fetch(`${api.apiUrl}/v2/check-results/x?resultType=RETRY`, { headers })).status).to.equal(400);
      expect((await fetch(`${api.apiUrl}/v2/check-results/x?nextId=nope`, { headers })).status).to.equal(400);
      // v2 has no six-hour limit on from..to (v1 had).
      expect((await fetch(`${api.apiUrl}/v2/check-results/x?from=0&to=${30 * 86_400}`, { headers })).status).to.equal(200);
      expect((await fetch(`${api.apiUrl}/v1/checks?limit=101`, { headers })).status).to.equal(400);
      expect((await fetch(`${api.apiUrl}/v1/checks`, { headers: { Authorization: 'Bearer cu_fake_key' } })).status).to.equal(403);
    } finally {
      await api.close();
    }
  });
});
