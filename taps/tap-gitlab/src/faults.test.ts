import { expect } from 'chai';
import { failRequests, ignoreQuery, rateLimit, throttleFor } from '@observes/testkit';
import { FakeGitlabApi } from './testing/fake-gitlab-api.js';
import { seedGitlab } from './testing/fake-gitlab-data.js';
import { runGitlab, type GitlabRun } from './testing/run-tap-gitlab.js';

const COUNTS = { pipelines: 12, jobs: 11, merge_requests: 7, issues: 6, members: 3, commits: 8 };

/** Each record as `stream:project/id@updated`, in emission order. */
function keys(run: GitlabRun): string[] {
  return [...run.records].flatMap(([stream, records]) =>
    records.map((r) => `${stream}:${r.project_id ?? ''}/${r.id}@${r.updated_at ?? r.committed_date ?? r.status ?? ''}`),
  );
}

describe('tap-gitlab under 429s and 5xx mid-pagination', () => {
  let clean: GitlabRun;

  before(async () => {
    const api = await FakeGitlabApi.start();
    seedGitlab(api, [1, 2], COUNTS);
    clean = await runGitlab(api, { projects: [1, 2] });
    await api.close();
  });

  it('recovers with no gap and no duplicate, waiting as the server asks', async () => {
    const api = await FakeGitlabApi.start({
      behaviours: [
        // GitLab.com style: only RateLimit-Reset (epoch seconds), 30 s ahead, on the second page of pipelines.
        rateLimit({ nth: [2], path: /\/pipelines$/, retryAfterSeconds: null, resetInSeconds: 30 }),
        rateLimit({ nth: [2], path: /\/merge_requests$/, retryAfterSeconds: 7 }),
        // Two failures in a row on the second page of the jobs walk.
        failRequests({ nth: [2, 3], path: /\/jobs$/, status: 502 }),
        failRequests({ nth: [2], path: /\/issues$/, status: 503 }),
        failRequests({ nth: [2], path: /\/repository\/commits$/, status: 500 }),
        failRequests({ nth: [2], path: /\/members$/, status: 500 }),
      ],
    });
    try {
      seedGitlab(api, [1, 2], COUNTS);
      const run = await runGitlab(api, { projects: [1, 2] });
      expect(run.code, run.stderr).to.equal(0);
      const failed = api.server.requests.filter((r) => r.status >= 429).map((r) => `${r.status} ${r.path}`);
      expect(failed).to.have.length(7);
      expect(keys(run).sort()).to.deep.equal(keys(clean).sort());
      expect(new Set(keys(run)).size).to.equal(keys(run).length);
      expect(
        run.sleeps.some((ms) => ms > 25_000 && ms <= 31_000),
        `waited until RateLimit-Reset: ${run.sleeps}`,
      ).to.equal(true);
      expect(run.sleeps).to.include(7000);
      expect(run.stderr).to.contain('retrying HTTP request');
    } finally {
      await api.close();
    }
  });

  it('fails once the retry budget is spent, naming the URL, the status and the budget', async () => {
    const api = await FakeGitlabApi.start({
      behaviours: [failRequests({ nth: Array.from({ length: 30 }, (_, i) => i + 1), path: /\/pipelines$/, status: 503 })],
    });
    try {
      seedGitlab(api, [1], COUNTS);
      const run = await runGitlab(api, { projects: [1], retry_budget_seconds: 20 });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.contain('/projects/1/pipelines').and.to.contain('503').and.to.contain('(the 20 s retry budget)');
      // Both listings of pipelines (child pipelines are listed apart) waited their whole 20 s budget.
      expect(run.sleeps.filter((ms) => ms > 10).reduce((a, b) => a + b)).to.equal(40_000);
    } finally {
      await api.close();
    }
  });

  it('the fake throttles like gitlab.com: 429 with RateLimit-* and Retry-After past the window', async () => {
    const api = await FakeGitlabApi.start({ rateLimit: { requests: 2, windowSeconds: 60 } });
    try {
      seedGitlab(api, [1], COUNTS);
      const get = () => fetch(`${api.apiUrl}/projects/1`, { headers: { 'PRIVATE-TOKEN': api.token } });
      expect((await get()).status).to.equal(200);
      expect((await get()).status).to.equal(200);
      const limited = await get();
      expect(limited.status).to.equal(429);
      expect(limited.headers.get('ratelimit-remaining')).to.equal('0');
      expect(Number(limited.headers.get('ratelimit-reset'))).to.be.greaterThan(Date.now() / 1000);
      expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60);
    } finally {
      await api.close();
    }
  });
});

describe('tap-gitlab against what gitlab.com does now and then', () => {
  it('waits out 40 s of 429s without Retry-After or RateLimit-* headers, on a fake clock', async () => {
    const clock = { now: Date.parse('2024-06-01T12:00:00Z') };
    const api = await FakeGitlabApi.start({ behaviours: [throttleFor({ durationMs: 40_000, path: /\/merge_requests$/, now: () => clock.now })] });
    try {
      seedGitlab(api, [1], COUNTS);
      const run = await runGitlab(api, { projects: [1] }, undefined, { clock });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.records.get('merge_requests')).to.have.length(COUNTS.merge_requests);
      const refused = api.server.requests.filter((r) => r.status === 429);
      expect(refused.length).to.be.greaterThan(5);
      const backoffs = run.sleeps.filter((ms) => ms > 10);
      expect(
        backoffs.reduce((a, b) => a + b),
        `${backoffs}`,
      ).to.be.at.least(40_000);
      // Five retries from 1 s would have given up after at most 31 s of waiting, inside the window.
      expect(backoffs.length).to.be.greaterThan(5);
    } finally {
      await api.close();
    }
  });

  it('fails, naming the page, instead of looping when an endpoint ignores the page parameter', async () => {
    const api = await FakeGitlabApi.start({ behaviours: [ignoreQuery({ params: ['page'], path: /\/members$/ })] });
    try {
      seedGitlab(api, [1], { ...COUNTS, members: 12 });
      const run = await runGitlab(api, { projects: [1] });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.contain('/projects/1/members?').and.to.contain('page 2 has the same 5 items as page 1');
      expect(api.server.requests.filter((r) => r.path.endsWith('/members'))).to.have.length(2);
    } finally {
      await api.close();
    }
  });
});
