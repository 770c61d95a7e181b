import { expect } from 'chai';
import type { JsonRecord } from '@observes/protocol';
import type { FakeBehaviour } from '@observes/testkit';
import { FakeGitlabApi } from './fake-gitlab-api.js';
import { gitlabCommit, gitlabIssue, gitlabJob, gitlabMember, gitlabMergeRequest, gitlabPipeline, minutesAfter, seedGitlab } from './fake-gitlab-data.js';
import { runGitlab, type GitlabRun } from './testing/run-tap-gitlab.js';

const BASE = '2024-05-01T00:00:00.000Z';
const at = (minutes: number) => minutesAfter(BASE, minutes);

/**
 * The run emitted every `expected` key, each once, and nothing else but `boundary` keys: records sitting exactly on
 * the previous bookmark, which Singer's at-least-once delivery (≥ bookmarks) may repeat.
 */
function expectDelta(run: GitlabRun, stream: string, expected: unknown[], boundary: unknown[] = [], key = (r: JsonRecord) => r.id): void {
  const got = (run.records.get(stream) ?? []).map(key);
  expect(new Set(got).size, `${stream}: no record twice`).to.equal(got.length);
  expect(got, `${stream}: every new or changed record`).to.include.members(expected);
  expect(got.filter((k) => !expected.includes(k)), `${stream}: nothing but changes and the bookmark's own records`).to.satisfy((rest: unknown[]) =>
    rest.every((k) => boundary.includes(k)),
  );
}

/** Job `id` of project 1 in the fake, to change it in place. */
const findJob = (api: FakeGitlabApi, id: number) => api.items('jobs', 1).find((j) => j.id === id)!;

/** The jobs bookmark of project 1 in a run's last state. */
const jobsBookmark = (run: GitlabRun) => (run.state as any).bookmarks.jobs.partitions['project_id=1'].replication_key_value;

describe('tap-gitlab differential runs', () => {
  let api: FakeGitlabApi;
  let first: GitlabRun;
  let second: GitlabRun;
  const job = (id: number) => findJob(api, id);

  before(async () => {
    api = await FakeGitlabApi.start({ totalsLimit: 4 });
    seedGitlab(api, [1], { pipelines: 12, jobs: 11, merge_requests: 7, issues: 6, members: 3, commits: 8 }, BASE);
    // Two jobs have not finished at the first run: 1007, last of the first page (5 a page), with finished jobs
    // newer than it, and the newest one.
    api.put('jobs', 1, gitlabJob(1, 1007, at(7), 'running'));
    api.put('jobs', 1, gitlabJob(1, 1011, at(11), 'pending'));
    first = await runGitlab(api, { projects: [1] });
  });
  after(() => api.close());

  it('first run: everything, unfinished jobs with their current status, the jobs bookmark below the oldest of them', () => {
    expect(first.code, first.stderr).to.equal(0);
    expect(first.records.get('pipelines')).to.have.length(12);
    expectDelta(first, 'jobs', [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011]);
    const status = new Map(first.records.get('jobs')!.map((j) => [j.id, j.status]));
    expect([status.get(1007), status.get(1008), status.get(1011)]).to.deep.equal(['running', 'success', 'pending']);
    expect(jobsBookmark(first)).to.equal(1006);
    expect(first.stderr).to.contain('unfinished jobs emitted with their current status');
  });

  it('second run from the emitted state: only new and changed records, none missed', async () => {
    // pipelines (API compares updated_after with >): one changed, one new at the bookmark's very instant, and
    // three sharing a timestamp across the page boundary.
    api.put('pipelines', 1, gitlabPipeline(1, 1003, at(20)));
    api.put('pipelines', 1, gitlabPipeline(1, 1013, at(12)));
    for (const id of [1014, 1015, 1016]) api.put('pipelines', 1, gitlabPipeline(1, id, at(21)));
    // jobs: the unfinished ones end, one new finished and one new running.
    Object.assign(job(1007), { status: 'success', finished_at: at(30) });
    Object.assign(job(1011), { status: 'failed', finished_at: at(31) });
    api.put('jobs', 1, gitlabJob(1, 1012, at(32)));
    api.put('jobs', 1, gitlabJob(1, 1013, at(33), 'running'));
    // merge requests (API compares with ≥): the last item of the first page changes; a new one at the bookmark.
    api.put('merge_requests', 1, gitlabMergeRequest(1, 1005, at(30)));
    api.put('merge_requests', 1, gitlabMergeRequest(1, 1008, at(7)));
    api.put('issues', 1, gitlabIssue(1, 1001, at(40)));
    api.put('issues', 1, gitlabIssue(1, 1007, at(6)));
    api.put('commits', 1, gitlabCommit(1009, at(30)));
    api.put('members', 1, gitlabMember(4));

    second = await runGitlab(api, { projects: [1] }, first.state);
    expect(second.code, second.stderr).to.equal(0);
    expectDelta(second, 'pipelines', [1003, 1013, 1014, 1015, 1016], [1012]);
    // Every job above the bookmark, newest first: the new ones, the two that ended (now final) and, walked again
    // on the way down to 1007, the finished jobs in between (the target merges them by id).
    expect(second.records.get('jobs')!.map((j) => `${j.id} ${j.status}`)).to.deep.equal([
      '1013 running',
      '1012 success',
      '1011 failed',
      '1010 success',
      '1009 success',
      '1008 success',
      '1007 success',
    ]);
    expect(jobsBookmark(second)).to.equal(1012);
    expectDelta(second, 'merge_requests', [1005, 1008], [1007]);
    expectDelta(second, 'issues', [1001, 1007], [1006]);
    expectDelta(second, 'commits', [gitlabCommit(1009, at(30)).id], [gitlabCommit(1008, at(8)).id]);
    // Full-table streams come whole.
    expect(second.records.get('members')).to.have.length(4);
    expect(second.records.get('projects')).to.have.length(1);
  });

  it('third run: the job that was running comes again once it ended; nothing else changed', async () => {
    Object.assign(job(1013), { status: 'success', finished_at: at(40) });
    const third = await runGitlab(api, { projects: [1] }, second.state);
    expect(third.code, third.stderr).to.equal(0);
    expect(third.records.get('jobs')!.map((j) => `${j.id} ${j.status}`)).to.deep.equal(['1013 success']);
    expect(jobsBookmark(third)).to.equal(1013);
    expectDelta(third, 'pipelines', [], [1014, 1015, 1016]);
    expectDelta(third, 'merge_requests', [], [1005]);
    expectDelta(third, 'issues', [], [1001]);
  });
});

describe('tap-gitlab while the data changes under it', () => {
  it('an item updated during the walk moves to the end without making the walk skip its neighbour', async () => {
    let api: FakeGitlabApi | undefined;
    let pipelineRequests = 0;
    // Just before the second page is served, an item of the first page is updated: offset page 2 would now start
    // one item later and never return pipeline 1006.
    const concurrentUpdate: FakeBehaviour = async (request, next) => {
      if (request.path.endsWith('/pipelines') && ++pipelineRequests === 2) api!.put('pipelines', 1, gitlabPipeline(1, 1002, at(50)));
      return next();
    };
    api = await FakeGitlabApi.start({ behaviours: [concurrentUpdate] });
    try {
      seedGitlab(api, [1], { pipelines: 12, jobs: 0, merge_requests: 0, issues: 0, members: 0, commits: 0 }, BASE);
      const run = await runGitlab(api, { projects: [1] });
      expect(run.code, run.stderr).to.equal(0);
      const pipelines = run.records.get('pipelines')!.map((p) => `${p.id}@${p.updated_at}`);
      expect(new Set(pipelines.map((p) => p.split('@')[0]))).to.have.property('size', 12);
      expect(pipelines).to.include(`1002@${at(50)}`);
      expect(new Set(pipelines).size).to.equal(pipelines.length);
    } finally {
      await api.close();
    }
  });
});

describe('tap-gitlab jobs walk', () => {
  it('jobs created during the walk push the offset pages down without duplicates, and come next run', async () => {
    let api: FakeGitlabApi | undefined;
    let jobRequests = 0;
    // Just before the second page is served, two jobs start: offset page 2 now begins with the last two jobs of page 1.
    const newJobs: FakeBehaviour = async (request, next) => {
      if (request.path.endsWith('/jobs') && ++jobRequests === 2) for (const id of [1013, 1014]) api!.put('jobs', 1, gitlabJob(1, id, at(20)));
      return next();
    };
    api = await FakeGitlabApi.start({ behaviours: [newJobs] });
    try {
      seedGitlab(api, [1], { pipelines: 0, jobs: 12, merge_requests: 0, issues: 0, members: 0, commits: 0 }, BASE);
      const first = await runGitlab(api, { projects: [1] });
      expect(first.code, first.stderr).to.equal(0);
      expect(first.records.get('jobs')!.map((j) => j.id)).to.deep.equal([1012, 1011, 1010, 1009, 1008, 1007, 1006, 1005, 1004, 1003, 1002, 1001]);
      const second = await runGitlab(api, { projects: [1] }, first.state);
      expect(second.records.get('jobs')!.map((j) => j.id)).to.deep.equal([1014, 1013]);
    } finally {
      await api.close();
    }
  });

  it('with manual_jobs_window, a recent manual job is fetched again until played; older ones are final', async () => {
    const api = await FakeGitlabApi.start();
    try {
      seedGitlab(api, [1], { pipelines: 0, jobs: 12, merge_requests: 0, issues: 0, members: 0, commits: 0 }, BASE);
      api.put('jobs', 1, gitlabJob(1, 1002, at(2), 'manual'));
      api.put('jobs', 1, gitlabJob(1, 1011, at(11), 'manual'));
      const options = { env: { OBSERVES_FROZEN_TIME: at(40) } };
      // 30 minutes before at(40): 1011 (at 11) may still be played, 1002 (at 2) is too old to wait for.
      const config = { projects: [1], manual_jobs_window: '30m' };
      const first = await runGitlab(api, config, undefined, options);
      expect(first.code, first.stderr).to.equal(0);
      expect(first.records.get('jobs')).to.have.length(12);
      expect(jobsBookmark(first)).to.equal(1010);

      for (const id of [1002, 1011]) Object.assign(findJob(api, id), { status: 'success', finished_at: at(45) });
      const second = await runGitlab(api, config, first.state, options);
      expect(second.records.get('jobs')!.map((j) => `${j.id} ${j.status}`)).to.deep.equal(['1012 success', '1011 success']);
      expect(jobsBookmark(second)).to.equal(1012);

      // Without the window, manual jobs do not hold the bookmark.
      const plain = await runGitlab(api, { projects: [1] });
      expect(jobsBookmark(plain)).to.equal(1012);
    } finally {
      await api.close();
    }
  });
});
