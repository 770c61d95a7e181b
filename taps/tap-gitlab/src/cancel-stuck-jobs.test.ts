import { expect } from 'chai';
import { failRequests } from '@observes/testkit';
import { FakeGitlabApi } from './testing/fake-gitlab-api.js';
import { gitlabJob, gitlabPipeline, gitlabProject } from './testing/fake-gitlab-data.js';
import { runGitlab } from './testing/run-tap-gitlab.js';
import type { CancelStuckJobsReport, JobDecision } from './cancel-stuck-jobs.js';

const NOW = '2024-06-01T12:00:00.000Z';
const hoursAgo = (h: number) => new Date(Date.parse(NOW) - h * 3600_000).toISOString();

describe('tap-gitlab cancel-stuck-jobs', () => {
  let api: FakeGitlabApi;
  const statuses = () => Object.fromEntries(api.items('jobs', 1).map((j) => [j.id, j.status]));
  const cancel = (...args: string[]) =>
    runGitlab(api, { projects: [1] }, undefined, { args: ['cancel-stuck-jobs', '--project', '1', ...args], env: { OBSERVES_FROZEN_TIME: NOW } });
  const decision = (report: CancelStuckJobsReport, id: number) => report.decisions.find((d) => d.id === id) as JobDecision;

  beforeEach(async () => {
    // The first cancel request of job 2002 is refused: the real run must report it and fail.
    api = await FakeGitlabApi.start({ behaviours: [failRequests({ nth: [1], path: /\/jobs\/2002\/cancel$/, status: 403 })] });
    api.addProject(gitlabProject(1));
    api.put('pipelines', 1, gitlabPipeline(1, 100, hoursAgo(30), 'running'));
    // Running for 10 hours (created 11 hours ago): stuck.
    api.put('jobs', 1, { ...gitlabJob(1, 2001, hoursAgo(11), 'running', 100), started_at: hoursAgo(10) });
    // Waiting for a runner for 9 hours: stuck, by queued_duration.
    api.put('jobs', 1, { ...gitlabJob(1, 2002, hoursAgo(12), 'pending', 100), queued_duration: 9 * 3600 });
    // Created 20 hours ago but queued for 1 hour only (it waited behind earlier stages): not stuck.
    api.put('jobs', 1, { ...gitlabJob(1, 2003, hoursAgo(20), 'pending', 100), queued_duration: 3600 });
    // Created long ago but running for an hour only: not stuck.
    api.put('jobs', 1, { ...gitlabJob(1, 2004, hoursAgo(10), 'running', 100), started_at: hoursAgo(1) });
    // Stuck canceling for 9 hours: only --force ends it.
    api.put('jobs', 1, { ...gitlabJob(1, 2005, hoursAgo(10), 'canceling', 100), started_at: hoursAgo(9) });
    // Behind a blocking manual job for weeks: never canceled, nor the manual job.
    api.put('pipelines', 1, gitlabPipeline(1, 101, hoursAgo(500), 'manual'));
    api.put('jobs', 1, gitlabJob(1, 1001, hoursAgo(500), 'manual', 101));
    api.put('jobs', 1, gitlabJob(1, 1002, hoursAgo(500), 'created', 101));
    // Waiting for its resource group, and for an external callback: waiting, not stuck.
    api.put('jobs', 1, gitlabJob(1, 1003, hoursAgo(50), 'waiting_for_resource', 100));
    api.put('jobs', 1, gitlabJob(1, 1004, hoursAgo(50), 'waiting_for_callback', 100));
    api.put('jobs', 1, gitlabJob(1, 1005, hoursAgo(20), 'success', 100));
  });
  afterEach(() => api.close());

  it('--dry-run reports a decision for every unfinished job, by the right clock, and cancels nothing', async () => {
    const before = statuses();
    const run = await cancel('--older-than', '8h', '--dry-run');
    expect(run.code, run.stderr).to.equal(0);
    const report = JSON.parse(run.stdout) as CancelStuckJobsReport;
    expect(report).to.include({ project: '1', older_than: '8h', threshold: hoursAgo(8), dry_run: true, force: false, examined: 8, canceled: 0, failed: 0 });
    expect(report.stuck.map((j) => j.id)).to.deep.equal([2002, 2001]);
    expect(decision(report, 2001)).to.include({ decision: 'cancel', clock: 'started_at', since: hoursAgo(10), age_seconds: 36_000 });
    expect(decision(report, 2002)).to.include({ decision: 'cancel', clock: 'queued_duration', since: hoursAgo(9) });
    expect(decision(report, 2003)).to.include({ decision: 'keep', clock: 'queued_duration', age_seconds: 3600 });
    expect(decision(report, 2004)).to.include({ decision: 'keep', clock: 'started_at' });
    expect(decision(report, 2005).reason).to.contain('--force');
    expect(decision(report, 1002)).to.include({ decision: 'keep', pipeline_status: 'manual' });
    expect(decision(report, 1002).reason).to.contain('manual');
    expect(decision(report, 1003).reason).to.contain('resource group');
    expect(decision(report, 1004).reason).to.contain('external service');
    expect(
      report.decisions.map((d) => d.id),
      'manual and finished jobs are not even examined',
    ).to.not.include.members([1001, 1005]);
    expect(statuses()).to.deep.equal(before);
    expect(api.server.requests.filter((r) => r.method === 'POST')).to.have.length(0);
    expect(run.stderr).to.contain('job 1002: keep: waiting behind a manual job');
  });

  it('cancels the stuck jobs, reports each outcome, and exits 1 when one cancel failed', async () => {
    const run = await cancel('--older-than', '8h');
    expect(run.code).to.equal(1);
    const report = JSON.parse(run.stdout) as CancelStuckJobsReport;
    expect(report).to.include({ dry_run: false, canceled: 1, failed: 1 });
    expect(decision(report, 2002).error).to.contain('403');
    expect(decision(report, 2001).status_after).to.equal('canceled');
    expect(statuses()).to.include({ 2001: 'canceled', 2002: 'pending', 2003: 'pending', 2005: 'canceling', 1001: 'manual', 1002: 'created' });
    expect(run.stderr).to.contain('1 of 2 stuck jobs could not be canceled');
  });

  it("--force ends a job stuck in canceling with the API's force flag", async () => {
    const run = await cancel('--older-than', '8h', '--force');
    const report = JSON.parse(run.stdout) as CancelStuckJobsReport;
    expect(decision(report, 2005)).to.include({ decision: 'force-cancel', status_after: 'canceled' });
    const forced = api.server.requests.find((r) => r.method === 'POST' && r.path.endsWith('/jobs/2005/cancel'))!;
    expect(forced.query.force).to.equal('true');
    expect(statuses()[2005]).to.equal('canceled');
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
