import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { tapSuite } from '@observes/testkit';
import { FakeGitlabApi } from './testing/fake-gitlab-api.js';
import { seedGitlab } from './testing/fake-gitlab-data.js';
import { runGitlab } from './testing/run-tap-gitlab.js';

const COUNTS = { pipelines: 12, jobs: 11, merge_requests: 7, issues: 6, members: 3, commits: 8 };

let suiteApi: FakeGitlabApi;
tapSuite({
  name: 'tap-gitlab',
  bin: fileURLToPath(new URL('../bin/tap-gitlab.js', import.meta.url)),
  async setup() {
    suiteApi = await FakeGitlabApi.start();
    seedGitlab(suiteApi, [1, 2], COUNTS);
  },
  teardown: () => suiteApi.close(),
  config: () => ({ api_url: suiteApi.apiUrl, token: suiteApi.token, groups: ['acme'], per_page: 5, requests_per_second: 1000 }),
});

describe('tap-gitlab against the fake GitLab API', () => {
  let api: FakeGitlabApi;
  before(async () => {
    // Totals are omitted above 4 items, as gitlab.com does above 10,000: paging must not need them.
    api = await FakeGitlabApi.start({ totalsLimit: 4 });
    seedGitlab(api, [1, 2], COUNTS);
  });
  after(() => api.close());

  it('extracts every stream of every project of a group, valid against the schemas', async () => {
    const run = await runGitlab(api, { groups: ['acme'] });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.records.get('projects')!.map((p) => p.id)).to.deep.equal([1, 2]);
    for (const [stream, count] of Object.entries(COUNTS)) {
      const records = run.records.get(stream)!;
      expect(records, stream).to.have.length(2 * count);
      expect(new Set(records.map((r) => `${r.project_id}/${r.id}`)).size, `${stream} has no duplicates`).to.equal(2 * count);
      expect(
        records.every((r) => r.project_id === 1 || r.project_id === 2),
        `${stream} carries project_id`,
      ).to.equal(true);
    }
  });

  it('takes projects by id and by full path, without duplicates', async () => {
    const run = await runGitlab(api, { projects: [2, 'acme/project-2', 'acme/project-1'] });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.records.get('projects')!.map((p) => p.id)).to.deep.equal([1, 2]);
  });

  it('bookmarks per project and sends the token only as PRIVATE-TOKEN', async () => {
    const run = await runGitlab(api, { projects: [1, 2] });
    const bookmarks = (run.state as { bookmarks: Record<string, { partitions?: Record<string, unknown> }> }).bookmarks;
    expect(Object.keys(bookmarks.pipelines.partitions!)).to.deep.equal(['project_id=1', 'project_id=2']);
    expect(bookmarks.pipelines.partitions!['project_id=2']).to.deep.equal({ replication_key: 'updated_at', replication_key_value: '2024-05-01T00:12:00.000Z' });
    expect(bookmarks.jobs.partitions!['project_id=1']).to.deep.include({ replication_key: 'id', replication_key_value: 1011 });
    expect(run.stdout + run.stderr).to.not.contain(api.token);
  });

  it('fails with the status and URL, without the token, when the token is refused', async () => {
    const run = await runGitlab(api, { projects: [1], token: 'glpat-wrong-token' });
    expect(run.code, 'a refused token is not worth a retry').to.equal(2);
    expect(run.stderr).to.contain('401').and.to.contain('/projects/1');
    expect(run.stderr).to.not.contain('glpat-wrong-token');
  });

  it('names the problem when neither projects nor groups are configured', async () => {
    const run = await runGitlab(api, {});
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('projects').and.to.contain('groups');
  });
});
