import { expect } from 'chai';
import { failRequests, rateLimit } from '@observes/testkit';
import { FakeGitlabApi } from './fake-gitlab-api.js';
import { seedGitlab } from './fake-gitlab-data.js';
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
      expect(run.sleeps.some((ms) => ms > 25_000 && ms <= 31_000), `waited until RateLimit-Reset: ${run.sleeps}`).to.equal(true);
      expect(run.sleeps).to.include(7000);
      expect(run.stderr).to.contain('retrying HTTP request');
    } finally {
      await api.close();
    }
  });

  it('fails after the retries are exhausted, naming the URL and the status', async () => {
    const api = await FakeGitlabApi.start({ behaviours: [failRequests({ nth: [1, 2, 3, 4, 5, 6], path: /\/pipelines$/, status: 503 })] });
    try {
      seedGitlab(api, [1], COUNTS);
      const run = await runGitlab(api, { projects: [1] });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.contain('/projects/1/pipelines').and.to.contain('503').and.to.contain('after 6 attempts');
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
