import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { discoverTap } from '@observes/tap-sdk';
import { FakeGitlabApi } from './testing/fake-gitlab-api.js';
import { gitlabProject, seedGitlab } from './testing/fake-gitlab-data.js';
import { tap } from './tap.js';
import { runGitlab, writeConfig } from './testing/run-tap-gitlab.js';

const COUNTS = { pipelines: 3, jobs: 3, merge_requests: 2, issues: 2, members: 1, commits: 2 };
const partitionsOf = (state: unknown, stream: string) => Object.keys((state as any).bookmarks[stream]?.partitions ?? {});

describe('tap-gitlab with projects it may not read', () => {
  let api: FakeGitlabApi;
  before(async () => {
    api = await FakeGitlabApi.start();
    // Group acme: projects 1, 2 and 3; project 2 has CI/CD disabled (403 on pipelines and jobs) and its issues off.
    seedGitlab(api, [1, 2, 3], COUNTS);
    api.setFeature(2, 'builds', false);
    api.setFeature(2, 'issues', false);
    // A project of another namespace shared with acme.
    api.addProject(gitlabProject(9, 'other'), { id: 10, full_path: 'acme' }, { shared: true });
  });
  after(() => api.close());

  it('a project answering 403 mid-group skips those streams with a warning and a METRIC; everything else advances', async () => {
    const run = await runGitlab(api, { groups: ['acme'] });
    expect(run.code, run.stderr).to.equal(0);
    const byProject = (stream: string) => [...new Set((run.records.get(stream) ?? []).map((r) => r.project_id))].sort();
    expect(byProject('pipelines')).to.deep.equal([1, 3]);
    expect(byProject('jobs')).to.deep.equal([1, 3]);
    expect(byProject('issues')).to.deep.equal([1, 3]);
    expect(byProject('merge_requests')).to.deep.equal([1, 2, 3]);
    expect(byProject('commits')).to.deep.equal([1, 2, 3]);
    expect(partitionsOf(run.state, 'pipelines')).to.deep.equal(['project_id=1', 'project_id=3']);
    expect(partitionsOf(run.state, 'merge_requests')).to.deep.equal(['project_id=1', 'project_id=2', 'project_id=3']);
    for (const stream of ['pipelines', 'jobs', 'bridges', 'issues']) {
      expect(run.stderr).to.contain(`"metric":"partition_skipped","value":1,"tags":{"stream":"${stream}","partition":"project_id=2"`);
    }
    expect(run.stderr).to.contain('partition skipped: GitLab answered 403 Forbidden');
  });

  it("lists only the groups' own projects unless include_shared_projects is set", async () => {
    const own = await runGitlab(api, { groups: ['acme'] });
    expect(own.records.get('projects')!.map((p) => p.id)).to.deep.equal([1, 2, 3]);
    expect(api.server.requests.find((r) => r.path.endsWith('/groups/acme/projects'))!.query.with_shared).to.equal('false');
    const shared = await runGitlab(api, { groups: ['acme'], include_shared_projects: true });
    expect(shared.records.get('projects')!.map((p) => p.id)).to.deep.equal([1, 2, 3, 9]);
  });

  it('skips a configured project GitLab does not know, and fails when none can be read', async () => {
    const some = await runGitlab(api, { projects: [1, 'acme/gone'] });
    expect(some.code, some.stderr).to.equal(0);
    expect(some.records.get('projects')!.map((p) => p.id)).to.deep.equal([1]);
    expect(some.stderr).to.contain('skipping project acme/gone: GitLab answered 404');
    const none = await runGitlab(api, { projects: ['acme/gone'] });
    expect(none.code).to.equal(1);
    expect(none.stderr).to.contain('none of the 1 configured projects and groups could be read');
  });

  it('fails when every partition it tried was forbidden', async () => {
    const run = await runGitlab(api, { projects: [2] }, undefined, { args: ['--catalog', catalogSelecting(api, ['pipelines', 'jobs'])] });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('nothing could be read');
  });
});

/** A catalog file selecting only `streams`, written next to a config for the fake. */
function catalogSelecting(api: FakeGitlabApi, streams: string[]): string {
  const catalog = discoverTap(tap);
  for (const entry of catalog.streams) {
    const root = entry.metadata.find((m) => m.breadcrumb.length === 0)!;
    root.metadata.selected = streams.includes(entry.tap_stream_id);
  }
  const file = path.join(path.dirname(writeConfig(api, {})), 'catalog.json');
  writeFileSync(file, JSON.stringify(catalog));
  return file;
}
