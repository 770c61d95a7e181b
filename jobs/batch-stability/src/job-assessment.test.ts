import { expect } from 'chai';
import type { JobDetail } from '@aws-sdk/client-batch';
import type { ListedJob } from './batch-listing.js';
import { assessJobs, jobDefinitionName, jobsToDescribe } from './job-assessment.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const MIN = 60_000;
const job = (jobId: string, status: ListedJob['status'], createdAt: number, extra: Partial<ListedJob> = {}): ListedJob => ({
  jobId,
  jobName: jobId,
  status,
  createdAt,
  queue: 'q',
  jobDefinition: 'arn:aws:batch:us-east-1:1:job-definition/observes-p:7',
  ...extra,
});
const options = { now: new Date(NOW), lookbackHours: 24, stuckMinutes: 60, timeoutMarginSeconds: 120, runningLimitHours: 24, jobDefinitionPrefix: 'observes-' };
const kinds = (listed: ListedJob[], details: Map<string, JobDetail> = new Map()) =>
  assessJobs(listed, details, options).pipelines.flatMap((p) => p.findings.map((f) => `${f.kind}:${f.job_id}`));

describe('batch-stability: assessing jobs', () => {
  it('names pipelines by job definition, every revision together', () => {
    expect(jobDefinitionName('arn:aws:batch:us-east-1:1:job-definition/observes-gitlab:12')).to.equal('observes-gitlab');
    expect(jobDefinitionName('observes-gitlab')).to.equal('observes-gitlab');
    const assessment = assessJobs(
      [
        job('a', 'SUCCEEDED', NOW - 60 * MIN, { stoppedAt: NOW - 50 * MIN }),
        job('b', 'SUCCEEDED', NOW - 30 * MIN, { stoppedAt: NOW - 20 * MIN, jobDefinition: 'arn:aws:batch:us-east-1:1:job-definition/observes-p:8' }),
      ],
      new Map(),
      options,
    );
    expect(assessment.pipelines).to.deep.equal([{ pipeline: 'p', job_definition: 'observes-p', status: 'healthy', succeeded: 2, findings: [] }]);
  });

  it('a failure is recovered only by a success submitted after it', () => {
    const failed = job('f', 'FAILED', NOW - 120 * MIN, { stoppedAt: NOW - 100 * MIN });
    expect(kinds([failed, job('s-before', 'SUCCEEDED', NOW - 180 * MIN, { stoppedAt: NOW - 90 * MIN })])).to.deep.equal(['failed:f']);
    expect(kinds([failed, job('s-after', 'SUCCEEDED', NOW - 60 * MIN, { stoppedAt: NOW - 50 * MIN })])).to.deep.equal(['recovered:f']);
    // Another pipeline's success does not count.
    expect(kinds([failed, job('s-other', 'SUCCEEDED', NOW - 60 * MIN, { stoppedAt: NOW - 50 * MIN, jobDefinition: 'observes-q' })])).to.deep.equal([
      'failed:f',
    ]);
  });

  it('looks only at jobs that finished within the window, and at every waiting or running one', () => {
    const old = job('old', 'FAILED', NOW - 30 * 60 * MIN, { stoppedAt: NOW - 24 * 60 * MIN - 1 });
    const edge = job('edge', 'FAILED', NOW - 30 * 60 * MIN, { stoppedAt: NOW - 24 * 60 * MIN });
    const waiting = job('w', 'RUNNABLE', NOW - 300 * 60 * MIN);
    expect(kinds([old, edge, waiting])).to.deep.equal(['failed:edge', 'stuck:w']);
    expect(jobsToDescribe([old, edge, waiting], new Date(NOW), 24)).to.deep.equal(['edge', 'w']);
  });

  it('stuck after the threshold (not at it); overdue past the pipeline timeout (attempt timeout minus the margin)', () => {
    expect(kinds([job('at', 'RUNNABLE', NOW - 60 * MIN), job('past', 'STARTING', NOW - 60 * MIN - 1)])).to.deep.equal(['stuck:past']);
    const details = new Map<string, JobDetail>([
      ['r1', { jobId: 'r1', timeout: { attemptDurationSeconds: 3720 } } as JobDetail],
      ['r2', { jobId: 'r2', timeout: { attemptDurationSeconds: 3720 } } as JobDetail],
    ]);
    const running = [
      job('r1', 'RUNNING', NOW - 70 * MIN, { startedAt: NOW - 60 * MIN }),
      job('r2', 'RUNNING', NOW - 70 * MIN, { startedAt: NOW - 60 * MIN - 1 }),
      job('r3', 'RUNNING', NOW - 25 * 60 * MIN, { startedAt: NOW - 24 * 60 * MIN - 1 }),
    ];
    expect(kinds(running, details)).to.deep.equal(['overdue:r2', 'overdue:r3']);
  });

  it('a success after several attempts is a warning naming the failed attempts; the check stays healthy', () => {
    const details = new Map<string, JobDetail>([
      [
        's',
        {
          jobId: 's',
          attempts: [
            { statusReason: 'Host EC2 (instance i-1) terminated.' },
            { statusReason: 'Essential container in task exited', container: { exitCode: 0 } },
          ],
        } as JobDetail,
      ],
    ]);
    const assessment = assessJobs([job('s', 'SUCCEEDED', NOW - 60 * MIN, { stoppedAt: NOW - 10 * MIN })], details, options);
    expect(assessment.healthy).to.equal(true);
    expect(assessment.pipelines[0]).to.deep.include({ status: 'warning', succeeded: 1 });
    expect(assessment.pipelines[0].findings[0]).to.include({
      kind: 'retried',
      severity: 'warning',
      host_terminated: true,
      reason: 'succeeded on attempt 2; attempt 1: Host EC2 (instance i-1) terminated. (no exit code)',
    });
  });
});
