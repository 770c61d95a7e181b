import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { applyRedshiftShim, createTestDatabase, pipeTapToTarget, type TestDatabase } from '@observes/testkit';
import { FakeGitlabApi } from './testing/fake-gitlab-api.js';
import { gitlabBridge, gitlabIssue, gitlabMember, gitlabPipeline, minutesAfter, seedGitlab } from './testing/fake-gitlab-data.js';

const BASE = '2024-05-01T00:00:00.000Z';

const tapBin = fileURLToPath(new URL('../bin/tap-gitlab.js', import.meta.url));
const targetBin = fileURLToPath(new URL('../../../targets/target-redshift/bin/target-redshift.js', import.meta.url));

describe('tap-gitlab | target-redshift into PostgreSQL', () => {
  let api: FakeGitlabApi;
  let db: TestDatabase;
  let tapConfig: object;
  let targetConfig: object;
  const count = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM gitlab.${table}`))[0].n);

  before(async () => {
    api = await FakeGitlabApi.start();
    seedGitlab(api, [1, 2], { pipelines: 12, jobs: 11, merge_requests: 7, issues: 6, members: 3, commits: 8 }, BASE);
    // Pipeline 1012 of project 1 triggered child pipeline 1100; user 9 is a member through the group only.
    api.put('pipelines', 1, gitlabPipeline(1, 1100, minutesAfter(BASE, 13), 'success', 'parent_pipeline'));
    api.put('bridges', 1, gitlabBridge(1, 1200, 1012, 1100, minutesAfter(BASE, 12)));
    api.put('inherited_members', 1, gitlabMember(9, 50));
    db = await createTestDatabase();
    await applyRedshiftShim(db);
    tapConfig = { api_url: api.apiUrl, token: api.token, groups: ['acme'], per_page: 5, requests_per_second: 1000 };
    targetConfig = { url: db.url, schema: 'gitlab', dialect: 'redshift' };
  });
  after(async () => {
    await db?.drop();
    await api?.close();
  });

  it('loads the fake data, then a second run from the saved state adds only what changed', async () => {
    const first = await pipeTapToTarget({ tapBin, targetBin, tapConfig, targetConfig });
    expect(first.tapCode, first.tapStderr.slice(-2000)).to.equal(0);
    expect(first.targetCode, first.targetStderr.slice(-2000)).to.equal(0);
    expect(await count('pipelines')).to.equal(25);
    expect(await count('jobs')).to.equal(22);
    expect(await count('merge_requests__labels')).to.equal(28);
    expect(await db.query('SELECT id, downstream_pipeline__id FROM gitlab.bridges')).to.deep.equal([{ id: '1200', downstream_pipeline__id: '1100' }]);
    expect(await db.query('SELECT membership FROM gitlab.members WHERE project_id = 1 AND id = 9')).to.deep.equal([{ membership: 'inherited' }]);

    api.put('pipelines', 1, { ...gitlabPipeline(1, 1003, minutesAfter(BASE, 30), 'failed') });
    api.put('pipelines', 2, gitlabPipeline(2, 2013, minutesAfter(BASE, 31)));
    api.put('issues', 1, gitlabIssue(1, 1007, minutesAfter(BASE, 32)));
    const second = await pipeTapToTarget({ tapBin, targetBin, tapConfig, targetConfig, state: first.state });
    expect(second.tapCode, second.tapStderr.slice(-2000)).to.equal(0);
    expect(second.targetCode, second.targetStderr.slice(-2000)).to.equal(0);

    expect(await count('pipelines')).to.equal(26);
    expect(await count('issues')).to.equal(13);
    expect(await count('bridges')).to.equal(1);
    const [changed] = await db.query<{ status: string; updated_at: unknown }>('SELECT status FROM gitlab.pipelines WHERE id = 1003');
    expect(changed.status).to.equal('failed');
    const duplicates = await db.query('SELECT id FROM gitlab.pipelines GROUP BY id HAVING count(*) > 1');
    expect(duplicates).to.deep.equal([]);
    const bookmarks = (second.state as { value: { bookmarks: Record<string, { partitions: Record<string, { replication_key_value: unknown }> }> } }).value
      .bookmarks;
    expect(bookmarks.pipelines.partitions['project_id=2'].replication_key_value).to.equal(minutesAfter(BASE, 31));
  });
});
