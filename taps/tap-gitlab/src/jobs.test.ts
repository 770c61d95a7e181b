import { expect } from 'chai';
import type { JsonRecord } from '@observes/protocol';
import type { FakeBehaviour } from '@observes/testkit';
import { FakeGitlabApi } from './testing/fake-gitlab-api.js';
import { gitlabJob, gitlabPipeline, gitlabProject, minutesAfter, seedGitlab } from './testing/fake-gitlab-data.js';
import { runGitlab, type GitlabRun } from './testing/run-tap-gitlab.js';
import type { JobsProgress } from './streams/jobs.js';

const BASE = '2024-05-01T00:00:00.000Z';
const at = (minutes: number) => minutesAfter(BASE, minutes);
/** Runs at a frozen instant: the walk's and the revisit window's times come from it. */
const frozen = (minutes: number) => ({ env: { OBSERVES_FROZEN_TIME: at(minutes) } });
const NO_OTHER_DATA = { merge_requests: 0, issues: 0, members: 0, commits: 0 };

/** The jobs partition of project 1 in a run's last state. */
const jobsState = (run: GitlabRun) =>
  (run.state as any).bookmarks.jobs.partitions['project_id=1'] as { replication_key_value: number; progress?: JobsProgress };
const jobs = (run: GitlabRun) => (run.records.get('jobs') ?? []).map((j) => `${j.id} ${j.status}`);
const job = (api: FakeGitlabApi, id: number) => api.items('jobs', 1).find((j) => j.id === id)!;

describe('tap-gitlab jobs: walk new jobs, revisit changed pipelines', () => {
  let api: FakeGitlabApi;
  let first: GitlabRun;
  let second: GitlabRun;

  before(async () => {
    api = await FakeGitlabApi.start();
    // Pipelines 1001..1011, job n in pipeline n, a minute apart.
    seedGitlab(api, [1], { pipelines: 11, jobs: 11, ...NO_OTHER_DATA }, BASE);
    // Two have not finished at the first run: 1007, with finished jobs newer than it, and the newest, 1011.
    api.setJob(1, gitlabJob(1, 1007, at(7), 'running', 1007), at(7));
    api.setJob(1, gitlabJob(1, 1011, at(11), 'pending', 1011), at(11));
    // At 00:25: the revisit window of the next run starts 10 minutes (the safety window) before, after the seed.
    first = await runGitlab(api, { projects: [1] }, undefined, frozen(25));
  });
  after(() => api.close());

  it('first run: every job, unfinished ones with their status; the bookmark is the newest job, held back by none', () => {
    expect(first.code, first.stderr).to.equal(0);
    expect(jobs(first)).to.deep.equal([
      '1011 pending',
      '1010 success',
      '1009 success',
      '1008 success',
      '1007 running',
      '1006 success',
      '1005 success',
      '1004 success',
      '1003 success',
      '1002 success',
      '1001 success',
    ]);
    expect(jobsState(first)).to.deep.include({ replication_key_value: 1011 });
    expect(jobsState(first).progress).to.deep.equal({ walked_at: at(25), revisit_after: at(15) });
    // Keyset pages, newest first: GitLab's offset pages fail deep in big projects.
    const walk = api.server.requests.filter((r) => r.path === '/api/v4/projects/1/jobs');
    expect(walk).to.have.length(3);
    expect(walk.every((r) => r.query.pagination === 'keyset' && r.query.order_by === 'id' && r.query.sort === 'desc')).to.equal(true);
  });

  it('second run: new jobs from the walk, and the jobs of the pipelines that changed, with their new status', async () => {
    api.setJob(1, { ...job(api, 1007), status: 'success', finished_at: at(30) }, at(30));
    api.setJob(1, { ...job(api, 1011), status: 'failed', finished_at: at(31) }, at(31));
    // New: 1012 in an existing pipeline (whose status does not change), 1013 running in a new pipeline.
    api.setJob(1, gitlabJob(1, 1012, at(32), 'success', 1010), at(32));
    api.put('pipelines', 1, gitlabPipeline(1, 1013, at(40), 'running'));
    api.setJob(1, gitlabJob(1, 1013, at(40), 'running', 1013), at(40));

    second = await runGitlab(api, { projects: [1] }, first.state, frozen(60));
    expect(second.code, second.stderr).to.equal(0);
    // The walk down to 1011, then the revisit of pipelines updated in [00:15, 00:50) that existed before the last
    // walk (+10 minutes): 1007 and 1011. Pipeline 1013, created after that, was read whole by this walk.
    expect(jobs(second)).to.deep.equal(['1013 running', '1012 success', '1007 success', '1011 failed']);
    const revisits = api.server.requests.filter((r) => /\/pipelines\/\d+\/jobs$/.test(r.path)).map((r) => r.path.split('/')[6]);
    expect(revisits).to.deep.equal(['1007', '1011']);
    expect(jobsState(second)).to.deep.include({ replication_key_value: 1013 });
    expect(jobsState(second).progress).to.deep.equal({ walked_at: at(60), revisit_after: at(50) });
  });

  it('third run: the job that was running comes again once its pipeline changed; nothing else', async () => {
    api.setJob(1, { ...job(api, 1013), status: 'success', finished_at: at(70) }, at(70));
    const third = await runGitlab(api, { projects: [1] }, second.state, frozen(90));
    expect(third.code, third.stderr).to.equal(0);
    expect(jobs(third)).to.deep.equal(['1013 success']);
    expect(jobsState(third)).to.deep.include({ replication_key_value: 1013 });
  });
});

describe('tap-gitlab jobs behind a manual gate', () => {
  it('do not hold the bookmark, cost nothing while the gate waits, and come again once it is played', async () => {
    const api = await FakeGitlabApi.start();
    try {
      api.addProject(gitlabProject(1));
      // A pipeline stopped at a blocking manual job: the deploy jobs behind it stay created, maybe for months.
      api.put('pipelines', 1, gitlabPipeline(1, 2001, at(1), 'running'));
      api.setJob(1, gitlabJob(1, 3001, at(1), 'success', 2001), at(1));
      api.setJob(1, gitlabJob(1, 3002, at(1), 'manual', 2001), at(1));
      api.setJob(1, gitlabJob(1, 3003, at(1), 'created', 2001), at(2));
      api.setJob(1, gitlabJob(1, 3004, at(1), 'created', 2001), at(2));
      expect(api.items('pipelines', 1)[0].status).to.equal('manual');
      const first = await runGitlab(api, { projects: [1] }, undefined, frozen(30));
      expect(jobs(first)).to.deep.equal(['3004 created', '3003 created', '3002 manual', '3001 success']);
      expect(jobsState(first).replication_key_value).to.equal(3004);

      // Months of runs: nothing new, nothing fetched again.
      let state = first.state;
      for (const minutes of [100, 200]) {
        const run = await runGitlab(api, { projects: [1] }, state, frozen(minutes));
        expect(jobs(run)).to.deep.equal([]);
        expect(api.server.requests.filter((r) => /\/pipelines\/2001\/jobs$/.test(r.path))).to.have.length(0);
        state = run.state;
      }

      // Someone plays the manual job: the pipeline runs again, so its jobs are revisited.
      api.setJob(1, { ...job(api, 3002), status: 'running' }, at(250));
      api.setJob(1, { ...job(api, 3003), status: 'pending' }, at(250));
      const played = await runGitlab(api, { projects: [1] }, state, frozen(300));
      expect(jobs(played)).to.have.members(['3001 success', '3002 running', '3003 pending', '3004 created']);
    } finally {
      await api.close();
    }
  });
});

describe('tap-gitlab jobs of a project with 60,000 of them', () => {
  const COUNT = 60_000;
  /** A slim job (ids 1..60,000, one pipeline per 10 jobs), made when a page is served. */
  const slimJob = (id: number): JsonRecord => ({
    id,
    name: `job-${id}`,
    status: 'success',
    created_at: at(id / 1000),
    pipeline: { id: Math.ceil(id / 10), status: 'success' },
  });

  it('walks keyset pages past the offset limit, and a run failing half-way resumes from its last checkpoint', async function () {
    this.timeout(60_000);
    let walkRequests = 0;
    // The 301st keyset page (30,000 jobs in) fails for good: no retry budget to wait it out.
    const breakMidWalk: FakeBehaviour = async (request, next) =>
      request.query.pagination === 'keyset' && ++walkRequests === 301 ? { status: 503, body: { message: 'down' } } : next();
    const api = await FakeGitlabApi.start({ behaviours: [breakMidWalk] });
    try {
      api.addProject(gitlabProject(1));
      api.generateJobs(1, { firstId: 1, count: COUNT, job: slimJob });
      // Offset pages past 50,000 are refused where the limit is enforced: the walk must not need them.
      const deep = await fetch(`${api.apiUrl}/projects/1/jobs?page=501&per_page=100`, { headers: { 'PRIVATE-TOKEN': api.token } });
      expect(deep.status).to.equal(405);
      expect(((await deep.json()) as { error: string }).error).to.contain('maximum allowed offset of 50000');

      const config = { projects: [1], per_page: 100, retry_budget_seconds: 0 };
      const failed = await runGitlab(api, config, undefined, frozen(10));
      expect(failed.code).to.equal(1);
      const firstIds = (failed.records.get('jobs') ?? []).map((j) => j.id as number);
      expect(firstIds).to.have.length(30_000);
      expect(firstIds[0]).to.equal(COUNT);
      const stopped = jobsState(failed);
      expect(stopped.replication_key_value, 'no bookmark until the walk completes').to.equal(undefined);
      expect(stopped.progress!.walk).to.include({ top: COUNT, started_at: at(10) });
      expect(new URL(stopped.progress!.walk!.next).searchParams.get('cursor')).to.be.a('string');
      // A checkpoint every ten pages (each STATE carries the whole run's bookmarks), the last one at page 300.
      expect(failed.messages.filter((m) => m.type === 'STATE' && (m.value as any).bookmarks.jobs?.partitions?.['project_id=1']?.progress?.walk)).to.have.length(
        30,
      );

      const before = api.server.requests.length;
      const resumed = await runGitlab(api, config, failed.state, frozen(20));
      expect(resumed.code, resumed.stderr).to.equal(0);
      const walk = api.server.requests.slice(before).filter((r) => r.path.endsWith('/jobs'));
      expect(walk[0].query.cursor, 'the resumed walk starts at its saved page').to.be.a('string');
      expect(walk).to.have.length(300);
      const secondIds = resumed.records.get('jobs')!.map((j) => j.id as number);
      expect(secondIds).to.have.length(30_000);
      const all = new Set([...firstIds, ...secondIds]);
      expect(all.size, 'every job once across the two runs').to.equal(COUNT);
      expect(jobsState(resumed).replication_key_value).to.equal(COUNT);
      expect(jobsState(resumed).progress).to.deep.equal({ walked_at: at(10), revisit_after: at(0) });
    } finally {
      await api.close();
    }
  });
});

describe('tap-gitlab jobs on a GitLab without keyset pages', () => {
  it('falls back to offset pages with a warning, and jobs created during the walk come once, next run', async () => {
    let api: FakeGitlabApi | undefined;
    let offsetPages = 0;
    // Just before the second offset page is served, two jobs start: page 2 now begins with the last two jobs of page 1.
    const newJobs: FakeBehaviour = async (request, next) => {
      if (request.path.endsWith('/jobs') && request.query.page !== undefined && ++offsetPages === 2)
        for (const id of [1013, 1014]) api!.put('jobs', 1, gitlabJob(1, id, at(20)));
      return next();
    };
    api = await FakeGitlabApi.start({ keysetJobs: false, behaviours: [newJobs] });
    try {
      seedGitlab(api, [1], { pipelines: 0, jobs: 12, ...NO_OTHER_DATA }, BASE);
      const first = await runGitlab(api, { projects: [1] }, undefined, frozen(30));
      expect(first.code, first.stderr).to.equal(0);
      expect(first.stderr).to.contain('no keyset pagination of jobs');
      expect(first.records.get('jobs')!.map((j) => j.id)).to.deep.equal([1012, 1011, 1010, 1009, 1008, 1007, 1006, 1005, 1004, 1003, 1002, 1001]);
      const second = await runGitlab(api, { projects: [1] }, first.state, frozen(40));
      expect(second.records.get('jobs')!.map((j) => j.id)).to.deep.equal([1014, 1013]);
    } finally {
      await api.close();
    }
  });
});
