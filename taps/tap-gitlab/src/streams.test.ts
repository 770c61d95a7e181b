import { expect } from 'chai';
import { FakeGitlabApi } from './testing/fake-gitlab-api.js';
import { gitlabBridge, gitlabCommit, gitlabJob, gitlabMember, gitlabPipeline, gitlabProject, minutesAfter } from './testing/fake-gitlab-data.js';
import { runGitlab } from './testing/run-tap-gitlab.js';

const BASE = '2024-05-01T00:00:00.000Z';
const at = (minutes: number) => minutesAfter(BASE, minutes);
const NOW = at(120);

describe('tap-gitlab child pipelines and trigger jobs', () => {
  it('lists child pipelines (source=parent_pipeline), their jobs, and the bridges that started them', async () => {
    const api = await FakeGitlabApi.start();
    try {
      api.addProject(gitlabProject(1));
      api.put('pipelines', 1, gitlabPipeline(1, 500, at(10)));
      // Pipeline 500's trigger job 600 started child pipeline 501, which ran job 601.
      api.put('pipelines', 1, gitlabPipeline(1, 501, at(12), 'success', 'parent_pipeline'));
      api.put('bridges', 1, gitlabBridge(1, 600, 500, 501, at(10)));
      api.put('jobs', 1, gitlabJob(1, 601, at(11), 'success', 501));
      const run = await runGitlab(api, { projects: [1] }, undefined, { env: { OBSERVES_FROZEN_TIME: NOW } });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.records.get('pipelines')!.map((p) => `${p.id} ${p.source}`)).to.deep.equal(['500 push', '501 parent_pipeline']);
      expect(run.records.get('jobs')!.map((j) => j.id)).to.deep.equal([601]);
      const [bridge] = run.records.get('bridges')!;
      expect(bridge).to.deep.include({ id: 600, project_id: 1, pipeline_updated_at: at(10) });
      expect(bridge.downstream_pipeline).to.deep.include({ id: 501 });
      // Bridges are read per pipeline; the bookmark is the last pipeline read, so next run starts there.
      expect((run.state as any).bookmarks.bridges.partitions['project_id=1'].replication_key_value).to.equal(at(12));
      expect(api.server.requests.filter((r) => r.path.endsWith('/bridges')).map((r) => r.path.split('/')[6])).to.deep.equal(['500', '501']);
      const second = await runGitlab(api, { projects: [1] }, run.state, { env: { OBSERVES_FROZEN_TIME: NOW } });
      expect(second.records.get('bridges') ?? [], "nothing new, nothing twice but the bookmark's own pipeline").to.have.length(0);
    } finally {
      await api.close();
    }
  });
});

describe('tap-gitlab members', () => {
  it('come from /members/all with inherited and invited members, saying where the access level comes from', async () => {
    const api = await FakeGitlabApi.start();
    try {
      api.addProject(gitlabProject(1));
      api.put('members', 1, gitlabMember(1, 40));
      // User 2 is a direct Reporter and a Developer through the parent group: the effective level is inherited.
      api.put('members', 1, gitlabMember(2, 20));
      api.put('inherited_members', 1, gitlabMember(2, 30));
      api.put('inherited_members', 1, gitlabMember(3, 10));
      const run = await runGitlab(api, { projects: [1] });
      expect(run.code, run.stderr).to.equal(0);
      const members = run.records.get('members')!.map((m) => [m.id, m.access_level, m.membership, m.direct_access_level]);
      expect(members).to.deep.equal([
        [1, 40, 'direct', 40],
        [2, 30, 'inherited', 20],
        [3, 10, 'inherited', null],
      ]);
    } finally {
      await api.close();
    }
  });
});

describe('tap-gitlab commits dated in the future', () => {
  it('do not carry the bookmark past the run start minus the safety window; they come again until then', async () => {
    const api = await FakeGitlabApi.start();
    try {
      api.addProject(gitlabProject(1));
      api.put('commits', 1, gitlabCommit(1, at(60)));
      // A committer's clock a day ahead.
      api.put('commits', 1, gitlabCommit(2, at(60 + 24 * 60)));
      const run = await runGitlab(api, { projects: [1], safety_window: '15m' }, undefined, { env: { OBSERVES_FROZEN_TIME: NOW } });
      expect(run.code, run.stderr).to.equal(0);
      expect((run.state as any).bookmarks.commits.partitions['project_id=1'].replication_key_value).to.equal(at(105));
      const second = await runGitlab(api, { projects: [1], safety_window: '15m' }, run.state, { env: { OBSERVES_FROZEN_TIME: at(130) } });
      expect(second.records.get('commits')!.map((c) => c.id)).to.deep.equal([gitlabCommit(2, at(0)).id]);
      expect(api.server.requests.filter((r) => r.path.endsWith('/commits')).at(-1)!.query.since).to.equal(at(105));
    } finally {
      await api.close();
    }
  });
});
