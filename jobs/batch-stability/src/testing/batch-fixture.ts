import type { FakeBatchJob } from './fake-batch-api.js';

/** The instant the fixture is built around (the job's frozen clock). */
export const NOW = Date.parse('2026-11-20T12:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
export const QUEUE = 'observes-etl';
const QUEUE_ARN = `arn:aws:batch:us-east-1:123456789012:job-queue/${QUEUE}`;
const definition = (pipeline: string) => `arn:aws:batch:us-east-1:123456789012:job-definition/observes-${pipeline}:3`;
const HOST_LOST = (instance: string) => `Host EC2 (instance ${instance}) terminated.`;
const EXITED = 'Essential container in task exited';

function job(id: string, pipeline: string, status: FakeBatchJob['status'], createdAt: number, extra: Partial<FakeBatchJob> = {}): FakeBatchJob {
  return {
    jobArn: `arn:aws:batch:us-east-1:123456789012:job/${id}`,
    jobId: id,
    jobName: `observes-${pipeline}-${id}`,
    jobQueue: QUEUE_ARN,
    jobDefinition: definition(pipeline),
    status,
    createdAt,
    ...extra,
  };
}

/** A finished attempt. */
const attempt = (startedAt: number, stoppedAt: number, statusReason: string, exitCode?: number) => ({
  startedAt,
  stoppedAt,
  statusReason,
  container: { ...(exitCode === undefined ? {} : { exitCode }), logStreamName: `observes/default/${startedAt.toString(36)}` },
});

/** The special jobs of the fixture, by what the check must make of them. */
export const SPECIAL = {
  recovered: 'failed-recovered-gitlab',
  failedHost: 'failed-host-checkly',
  failedExit: 'failed-exit-dynamodb',
  failedOld: 'failed-old-zoho',
  retried: 'retried-timedoctor',
  stuckRunnable: 'stuck-runnable-zoho',
  freshRunnable: 'fresh-runnable-gitlab',
  stuckStarting: 'stuck-starting-bills',
  overdue: 'overdue-gitlab',
  running: 'running-checkly',
  overdueUntimed: 'overdue-untimed',
} as const;

/**
 * 1,000 jobs of one queue: 989 ordinary successes over the last ~47 hours (four pipelines in turn,
 * 10 minutes each), and 11 jobs that are each a case of the check.
 */
export function batchFixture(): FakeBatchJob[] {
  const jobs: FakeBatchJob[] = [];
  const pipelines = ['gitlab', 'timedoctor-backup', 'compute-bills', 'zoho-crm'];
  for (let i = 0; i < 989; i++) {
    const created = NOW - 30 * MIN - i * 170_000;
    jobs.push(
      job(`ok-${i}`, pipelines[i % 4], 'SUCCEEDED', created, {
        startedAt: created + MIN,
        stoppedAt: created + 10 * MIN,
        statusReason: EXITED,
        container: { exitCode: 0 },
        attempts: [attempt(created + MIN, created + 10 * MIN, EXITED, 0)],
        timeout: { attemptDurationSeconds: 7320 },
      }),
    );
  }
  const t = (ago: number) => NOW - ago;
  jobs.push(
    job(SPECIAL.recovered, 'gitlab', 'FAILED', t(20 * HOUR), {
      startedAt: t(20 * HOUR - MIN),
      stoppedAt: t(19 * HOUR),
      statusReason: EXITED,
      container: { exitCode: 3 },
      attempts: [attempt(t(20 * HOUR - MIN), t(19 * HOUR), EXITED, 3)],
      timeout: { attemptDurationSeconds: 14520 },
    }),
    job(SPECIAL.failedHost, 'checkly', 'FAILED', t(2 * HOUR), {
      startedAt: t(110 * MIN),
      stoppedAt: t(90 * MIN),
      statusReason: HOST_LOST('i-0abc1234'),
      retryStrategy: { attempts: 2 },
      attempts: [attempt(t(118 * MIN), t(112 * MIN), HOST_LOST('i-0abc0001')), attempt(t(110 * MIN), t(90 * MIN), HOST_LOST('i-0abc1234'))],
    }),
    job(SPECIAL.failedExit, 'dynamodb', 'FAILED', t(5 * HOUR), {
      startedAt: t(5 * HOUR - MIN),
      stoppedAt: t(4 * HOUR),
      statusReason: EXITED,
      container: { exitCode: 5, reason: 'OutOfMemoryError: Container killed due to memory usage' },
      attempts: [attempt(t(5 * HOUR - MIN), t(4 * HOUR), EXITED, 5)],
    }),
    job(SPECIAL.failedOld, 'zoho-crm', 'FAILED', t(30 * HOUR), {
      startedAt: t(30 * HOUR - MIN),
      stoppedAt: t(29 * HOUR),
      statusReason: EXITED,
      container: { exitCode: 1 },
      attempts: [attempt(t(30 * HOUR - MIN), t(29 * HOUR), EXITED, 1)],
    }),
    job(SPECIAL.retried, 'timedoctor-backup', 'SUCCEEDED', t(3 * HOUR), {
      startedAt: t(150 * MIN),
      stoppedAt: t(130 * MIN),
      statusReason: EXITED,
      container: { exitCode: 0 },
      retryStrategy: { attempts: 3 },
      attempts: [attempt(t(170 * MIN), t(160 * MIN), HOST_LOST('i-0def4567')), attempt(t(150 * MIN), t(130 * MIN), EXITED, 0)],
    }),
    job(SPECIAL.stuckRunnable, 'zoho-crm', 'RUNNABLE', t(3 * HOUR), {
      statusReason: 'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested for instance type [m6i.2xlarge]',
    }),
    job(SPECIAL.freshRunnable, 'gitlab', 'RUNNABLE', t(10 * MIN)),
    job(SPECIAL.stuckStarting, 'compute-bills', 'STARTING', t(2 * HOUR)),
    job(SPECIAL.overdue, 'gitlab', 'RUNNING', t(5 * HOUR + 10 * MIN), { startedAt: t(5 * HOUR), timeout: { attemptDurationSeconds: 14520 } }),
    job(SPECIAL.running, 'checkly', 'RUNNING', t(12 * MIN), { startedAt: t(10 * MIN), timeout: { attemptDurationSeconds: 3720 } }),
    job(SPECIAL.overdueUntimed, 'json-import', 'RUNNING', t(31 * HOUR), { startedAt: t(30 * HOUR) }),
  );
  return jobs;
}
