import { expect } from 'chai';
import { failRequests } from '@observes/testkit';
import { FakeGitlabApi } from './fake-gitlab-api.js';
import { gitlabJob, gitlabProject } from './fake-gitlab-data.js';
import { runGitlab } from './testing/run-tap-gitlab.js';
import type { CancelStuckJobsReport } from './cancel-stuck-jobs.js';

const NOW = '2024-06-01T12:00:00.000Z';
const hoursAgo = (h: number) => new Date(Date.parse(NOW) - h * 3600_000).toISOString();

describe('tap-gitlab cancel-stuck-jobs', () => {
  let api: FakeGitlabApi;
  const statuses = () => Object.fromEntries(api.items('jobs', 1).map((j) => [j.id, j.status]));
  const cancel = (...args: string[]) => runGitlab(api, { projects: [1] }, undefined, { args: ['cancel-stuck-jobs', '--project', '1', ...args], env: { OBSERVES_FROZEN_TIME: NOW } });

  beforeEach(async () => {
    // The second cancel request of job 2002 is refused: the real run must report it and fail.
    api = await FakeGitlabApi.start({ behaviours: [failRequests({ nth: [1], path: /\/jobs\/2002\/cancel$/, status: 403 })] });
    api.addProject(gitlabProject(1));
    api.put('jobs', 1, { ...gitlabJob(1, 2001, hoursAgo(11), 'running'), started_at: hoursAgo(10) });
    api.put('jobs', 1, gitlabJob(1, 2002, hoursAgo(9), 'pending'));
    api.put('jobs', 1, gitlabJob(1, 2003, hoursAgo(12), 'created'));
    // Created long ago but running for an hour only: not stuck.
    api.put('jobs', 1, { ...gitlabJob(1, 2004, hoursAgo(10), 'running'), started_at: hoursAgo(1) });
    api.put('jobs', 1, gitlabJob(1, 2005, hoursAgo(1), 'pending'));
    api.put('jobs', 1, gitlabJob(1, 2006, hoursAgo(20), 'success'));
  });
  afterEach(() => api.close());

  it('--dry-run reports the stuck jobs and cancels nothing', async () => {
    const before = statuses();
    const run = await cancel('--older-than', '8h', '--dry-run');
    expect(run.code, run.stderr).to.equal(0);
    const report = JSON.parse(run.stdout) as CancelStuckJobsReport;
    expect(report).to.include({ project: '1', older_than: '8h', threshold: hoursAgo(8), dry_run: true, examined: 5, canceled: 0, failed: 0 });
    expect(report.stuck.map((j) => j.id).sort()).to.deep.equal([2001, 2002, 2003]);
    expect(report.stuck.find((j) => j.id === 2001)).to.include({ status: 'running', since: hoursAgo(10), age_seconds: 36_000 });
    expect(statuses()).to.deep.equal(before);
    expect(api.server.requests.filter((r) => r.method === 'POST')).to.have.length(0);
  });

  it('cancels the stuck jobs, reports each outcome, and exits 1 when one cancel failed', async () => {
    const run = await cancel('--older-than', '8h');
    expect(run.code).to.equal(1);
    const report = JSON.parse(run.stdout) as CancelStuckJobsReport;
    expect(report).to.include({ dry_run: false, canceled: 2, failed: 1 });
    expect(report.stuck.find((j) => j.id === 2002)!.error).to.contain('403');
    expect(report.stuck.find((j) => j.id === 2001)!.status_after).to.equal('canceled');
    expect(statuses()).to.deep.equal({ 2001: 'canceled', 2002: 'pending', 2003: 'canceled', 2004: 'running', 2005: 'pending', 2006: 'success' });
    expect(run.stderr).to.contain('1 of 3 stuck jobs could not be canceled');
  });

  it('refuses a threshold that is not a duration', async () => {
    const run = await cancel('--older-than', 'eight hours');
    expect(run.code).to.equal(1);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.contain('eight hours').and.to.contain('is not a duration');
    expect(api.server.requests, 'no request before the arguments are checked').to.have.length(0);
  });

  it('requires --project (exit 2, a usage error)', async () => {
    const run = await runGitlab(api, { projects: [1] }, undefined, { args: ['cancel-stuck-jobs'] });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('project');
  });
});
