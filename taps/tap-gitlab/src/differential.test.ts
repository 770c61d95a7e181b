import { expect } from 'chai';
import type { JsonRecord } from '@observes/protocol';
import type { FakeBehaviour } from '@observes/testkit';
import { FakeGitlabApi } from './testing/fake-gitlab-api.js';
import { gitlabCommit, gitlabIssue, gitlabMember, gitlabMergeRequest, gitlabPipeline, minutesAfter, seedGitlab } from './testing/fake-gitlab-data.js';
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
  expect(
    got.filter((k) => !expected.includes(k)),
    `${stream}: nothing but changes and the bookmark's own records`,
  ).to.satisfy((rest: unknown[]) => rest.every((k) => boundary.includes(k)));
}

describe('tap-gitlab differential runs', () => {
  let api: FakeGitlabApi;
  let first: GitlabRun;
  let second: GitlabRun;
  // The jobs stream has its own tests (jobs.test.ts); here it only needs to keep out of the way.
  const config = { projects: [1] };

  before(async () => {
    api = await FakeGitlabApi.start({ totalsLimit: 4 });
    seedGitlab(api, [1], { pipelines: 12, jobs: 0, merge_requests: 7, issues: 6, members: 3, commits: 8 }, BASE);
    first = await runGitlab(api, config);
  });
  after(() => api.close());

  it('first run: everything', () => {
    expect(first.code, first.stderr).to.equal(0);
    expect(first.records.get('pipelines')).to.have.length(12);
    expect(first.records.get('merge_requests')).to.have.length(7);
    expect(first.records.get('commits')).to.have.length(8);
  });

  it('second run from the emitted state: only new and changed records, none missed', async () => {
    // pipelines (API compares updated_after with >): one changed, one new at the bookmark's very instant, and
    // three sharing a timestamp across the page boundary.
    api.put('pipelines', 1, gitlabPipeline(1, 1003, at(20)));
    api.put('pipelines', 1, gitlabPipeline(1, 1013, at(12)));
    for (const id of [1014, 1015, 1016]) api.put('pipelines', 1, gitlabPipeline(1, id, at(21)));
    // merge requests (API compares with ≥): the last item of the first page changes; a new one at the bookmark.
    api.put('merge_requests', 1, gitlabMergeRequest(1, 1005, at(30)));
    api.put('merge_requests', 1, gitlabMergeRequest(1, 1008, at(7)));
    api.put('issues', 1, gitlabIssue(1, 1001, at(40)));
    api.put('issues', 1, gitlabIssue(1, 1007, at(6)));
    api.put('commits', 1, gitlabCommit(1009, at(30)));
    api.put('members', 1, gitlabMember(4));

    second = await runGitlab(api, config, first.state);
    expect(second.code, second.stderr).to.equal(0);
    expectDelta(second, 'pipelines', [1003, 1013, 1014, 1015, 1016], [1012]);
    expectDelta(second, 'merge_requests', [1005, 1008], [1007]);
    expectDelta(second, 'issues', [1001, 1007], [1006]);
    expectDelta(second, 'commits', [gitlabCommit(1009, at(30)).id], [gitlabCommit(1008, at(8)).id]);
    // Full-table streams come whole.
    expect(second.records.get('members')).to.have.length(4);
    expect(second.records.get('projects')).to.have.length(1);
  });

  it("third run: nothing changed, nothing but the bookmarks' own records", async () => {
    const third = await runGitlab(api, config, second.state);
    expect(third.code, third.stderr).to.equal(0);
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
