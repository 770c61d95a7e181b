import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { runNode, startFakeApi, type FakeApi } from '@observes/testkit';
import { runJob } from '@observes/job-core';
import { useProcessEnv } from '@observes/job-core/testing/process-env';
import { batchStabilityJob } from './batch-stability-job.js';
import type { StabilityAssessment } from './job-assessment.js';
import { batchFixture, NOW, QUEUE, SPECIAL } from './testing/batch-fixture.js';
import { startFakeBatchApi, type FakeBatchApi, type FakeBatchJob } from './testing/fake-batch-api.js';
import { startFakeSnsApi, type FakeSnsApi } from './testing/fake-sns-api.js';

const OBSERVES = fileURLToPath(new URL('../../../runner/bin/observes.js', import.meta.url));
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret-key', AWS_REGION: 'us-east-1' };
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:observes-alerts';
const HOOK_SECRET = 'T0001/B0001/hook-secret-xyz';

describe('batch-stability against a fake AWS Batch API', function () {
  this.timeout(60_000);
  let dir: string;
  let sns: FakeSnsApi;
  let hook: FakeApi;
  const hooked: unknown[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'batch-stability-'));
    sns = await startFakeSnsApi();
    hook = await startFakeApi({ routes: [{ method: 'POST', path: '/hooks/:a/:b/:c', handler: (r) => (hooked.push(JSON.parse(r.body)), { body: 'ok' }) }] });
  });
  after(async () => {
    await sns.close();
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (batch: FakeBatchApi, extra: Record<string, unknown> = {}) => {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        job_queues: [QUEUE],
        endpoint: batch.url,
        region: 'us-east-1',
        page_size: 400,
        job_definition_prefix: 'observes-',
        sns_topic_arn: TOPIC,
        sns_endpoint: sns.url,
        webhook_url: `${hook.url}/hooks/${HOOK_SECRET}`,
        ...extra,
      }),
    );
    return file;
  };

  describe('1,000 jobs, failures, retries and stuck jobs', () => {
    let batch: FakeBatchApi;
    let fixture: FakeBatchJob[];
    let report: StabilityAssessment & { alerted: string[] };
    let stderr: string;
    let code: number | null;

    before(async () => {
      fixture = batchFixture();
      batch = await startFakeBatchApi({ jobs: fixture, serverErrorOnListJobs: [3] });
      // As scheduled: a pipeline whose step is the job, run by the runner.
      const reportFile = join(dir, 'report.json');
      const pipeline = join(dir, 'batch-stability.yaml');
      const settings = JSON.parse(readFileSync(config(batch), 'utf8'));
      writeFileSync(
        pipeline,
        stringify({
          name: 'batch-stability',
          state: `file://${join(dir, 'state.json')}`,
          steps: [{ name: 'check', job: { command: ['observes', 'job', 'batch-stability'], args: ['--report', reportFile], config: settings } }],
        }),
      );
      const run = await runNode([OBSERVES, 'run', pipeline, '--report', join(dir, 'run.json')], {
        env: { ...process.env, ...AWS_ENV, OBSERVES_FROZEN_TIME: new Date(NOW).toISOString() },
      });
      stderr = run.stderr;
      const unit = (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { pipelines: Array<{ units: Array<{ targetExit?: string }> }> }).pipelines[0]
        .units[0];
      code = /^exit code (\d+)$/.exec(unit.targetExit ?? '')?.[1] === undefined ? null : Number(/^exit code (\d+)$/.exec(unit.targetExit!)![1]);
      expect(run.code, 'the runner fails a failed job step').to.equal(6);
      report = JSON.parse(readFileSync(reportFile, 'utf8'));
    });
    after(() => batch.close());

    it("reports exactly the fake's failed, stuck and overdue jobs as problems, and its recovered and retried ones as warnings; exit 3", () => {
      expect(code, stderr).to.equal(3);
      const found = report.pipelines.flatMap((p) => p.findings.map((f) => `${p.pipeline} ${f.kind} ${f.severity} ${f.job_id}`)).sort();
      expect(found).to.deep.equal(
        [
          `checkly failed problem ${SPECIAL.failedHost}`,
          `dynamodb failed problem ${SPECIAL.failedExit}`,
          `zoho-crm stuck problem ${SPECIAL.stuckRunnable}`,
          `compute-bills stuck problem ${SPECIAL.stuckStarting}`,
          `gitlab overdue problem ${SPECIAL.overdue}`,
          `json-import overdue problem ${SPECIAL.overdueUntimed}`,
          `gitlab recovered warning ${SPECIAL.recovered}`,
          `timedoctor-backup retried warning ${SPECIAL.retried}`,
        ].sort(),
      );
      const since = NOW - 24 * 3_600_000;
      const succeeded = fixture.filter((j) => j.status === 'SUCCEEDED' && j.stoppedAt! >= since).length;
      expect(report.totals).to.deep.equal({ failed: 2, stuck: 2, overdue: 2, recovered: 1, retried: 1, succeeded });
      expect(report.healthy).to.equal(false);
      expect(report.pipelines.find((p) => p.pipeline === 'checkly')).to.include({ status: 'failing', job_definition: 'observes-checkly' });
      expect(report.pipelines.find((p) => p.pipeline === 'timedoctor-backup')?.status).to.equal('warning');
    });

    it('shows the reasons: status reason, exit code, each attempt, Host EC2 terminations, capacity, timeouts', () => {
      const byId = new Map(report.pipelines.flatMap((p) => p.findings).map((f) => [f.job_id, f]));
      const host = byId.get(SPECIAL.failedHost)!;
      expect(host.reason).to.equal(
        'Host EC2 (instance i-0abc1234) terminated.; attempt 1: Host EC2 (instance i-0abc0001) terminated. (no exit code); attempt 2: Host EC2 (instance i-0abc1234) terminated. (no exit code)',
      );
      expect(host.host_terminated).to.equal(true);
      expect(host.attempts.map((a) => a.exit_code)).to.deep.equal([null, null]);
      expect(byId.get(SPECIAL.failedExit)!.reason).to.match(
        /^Essential container in task exited; exit code 5; OutOfMemoryError: Container killed due to memory usage; attempt 1: Essential container in task exited \(exit code 5\)$/,
      );
      expect(byId.get(SPECIAL.failedExit)!.host_terminated).to.equal(false);
      expect(byId.get(SPECIAL.stuckRunnable)!.reason).to.equal(
        'RUNNABLE for 3.0 h since submission: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested for instance type [m6i.2xlarge]',
      );
      expect(byId.get(SPECIAL.overdue)!.reason).to.equal("RUNNING for 5.0 h, past its pipeline's timeout of 4.0 h (Batch attempt timeout 14520 s)");
      expect(byId.get(SPECIAL.overdueUntimed)!.reason).to.equal('RUNNING for 30.0 h, past the 24 h limit for jobs without a timeout');
      expect(byId.get(SPECIAL.retried)!.reason).to.equal('succeeded on attempt 2; attempt 1: Host EC2 (instance i-0def4567) terminated. (no exit code)');
      const recovered = byId.get(SPECIAL.recovered)!;
      const by = fixture.find((j) => j.jobId === recovered.recovered_by)!;
      expect(by).to.include({ status: 'SUCCEEDED', jobDefinition: fixture.find((j) => j.jobId === SPECIAL.recovered)!.jobDefinition });
      expect(by.createdAt).to.be.greaterThan(NOW - 20 * 3_600_000);
      expect(recovered.reason).to.equal(
        `Essential container in task exited; exit code 3; attempt 1: Essential container in task exited (exit code 3); then job ${by.jobId} succeeded`,
      );
      // Outside the 24 h window, and within it but fine: not named.
      for (const id of [SPECIAL.failedOld, SPECIAL.freshRunnable, SPECIAL.running]) expect(byId.has(id), id).to.equal(false);
    });

    it('pages through ListJobs with nextToken (990 successes in 3 pages of 400), survives a ServerException, describes at most 100 jobs a call', () => {
      const succeededPages = batch.listJobsCalls.filter((c) => c.body.jobStatus === 'SUCCEEDED' && c.status === 200);
      expect(succeededPages.map((c) => c.returned)).to.deep.equal([400, 400, 190]);
      expect(succeededPages.map((c) => c.body.nextToken)).to.deep.equal([undefined, succeededPages[0].nextToken, succeededPages[1].nextToken]);
      expect(succeededPages[2].nextToken).to.equal(undefined);
      expect(batch.listJobsCalls[2].status).to.equal(500);
      expect(batch.listJobsCalls[3].body).to.deep.equal(batch.listJobsCalls[2].body);
      expect(new Set(batch.listJobsCalls.map((c) => c.body.jobStatus))).to.deep.equal(new Set(['FAILED', 'SUCCEEDED', 'RUNNABLE', 'STARTING', 'RUNNING']));
      expect(batch.listJobsCalls.every((c) => c.body.jobQueue === QUEUE && c.body.maxResults === 400)).to.equal(true);
      const described = batch.describeJobsCalls.flat();
      expect(batch.describeJobsCalls.every((ids) => ids.length <= 100)).to.equal(true);
      expect(new Set(described).size).to.equal(described.length);
      expect(described).to.include.members([SPECIAL.failedHost, SPECIAL.overdue, SPECIAL.retried]).and.not.to.include(SPECIAL.failedOld);
      expect(report.jobs_checked).to.equal(described.length);
    });

    it("prints the summary table, publishes to SNS and posts the webhook, never showing the webhook's secret", () => {
      expect(stderr).to.match(/pipeline\s+status\s+succeeded\s+failed\s+stuck\s+overdue\s+recovered\s+retried/);
      expect(stderr).to.match(/checkly\s+failing\s+0\s+1\s+0\s+0\s+0\s+0/);
      expect(stderr).to.include(`PROBLEM failed checkly job ${SPECIAL.failedHost}`);
      expect(sns.published).to.have.length(1);
      expect(sns.published[0]).to.include({ topicArn: TOPIC, subject: 'Observes Batch: 2 failed, 2 stuck, 2 overdue, 1 recovered, 1 retried' });
      expect(sns.published[0].message).to.include(`warning retried timedoctor-backup job ${SPECIAL.retried}`);
      expect(hooked).to.have.length(1);
      const posted = hooked[0] as { text: string; report: StabilityAssessment };
      expect(posted.text.startsWith('Observes Batch: 2 failed')).to.equal(true);
      expect(posted.report.totals).to.deep.equal(report.totals);
      expect(report.alerted).to.deep.equal(['sns', 'webhook']);
      expect(stderr + JSON.stringify(report)).not.to.include('hook-secret-xyz');
    });
  });

  describe('in-process runs', () => {
    useProcessEnv(AWS_ENV);
    const run = async (args: string[]) => {
      let stderr = '';
      let stdout = '';
      const code = await runJob(batchStabilityJob, {
        argv: args,
        env: { ...process.env, OBSERVES_FROZEN_TIME: new Date(NOW).toISOString() },
        stderr: (t) => void (stderr += t),
        stdout: (t) => void (stdout += t),
      });
      return { code, stderr, stdout };
    };

    it('a recovered failure only is healthy (exit 0): alerted with alert_on warnings, silent by default', async () => {
      const jobs = batchFixture().filter((j) => j.status === 'SUCCEEDED' || j.jobId === SPECIAL.recovered);
      const batch = await startFakeBatchApi({ jobs });
      try {
        const before = sns.published.length;
        let result = await run(['--config', config(batch), '--report', '-']);
        expect(result.code, result.stderr).to.equal(0);
        expect(JSON.parse(result.stdout)).to.deep.include({ healthy: true, alerted: [] });
        expect(sns.published.length).to.equal(before);
        result = await run(['--config', config(batch, { alert_on: 'warnings', webhook_url: undefined })]);
        expect(result.code, result.stderr).to.equal(0);
        expect(sns.published.length).to.equal(before + 1);
        expect(sns.published.at(-1)!.subject).to.equal('Observes Batch: 1 recovered, 1 retried');
      } finally {
        await batch.close();
      }
    });

    it('fails with exit 1 when Batch refuses, and exit 2 on bad settings', async () => {
      const batch = await startFakeBatchApi({ jobs: [] });
      try {
        const result = await run(['--config', config(batch, { job_queues: ['a', 'b'] }), '--page-size', '5000']);
        expect(result.code).to.equal(2);
        expect(result.stderr).to.include('/page_size');
        const refused = await run(['--config', config(batch), '--endpoint', `${batch.url}/nowhere`]);
        expect(refused.code).to.equal(1);
      } finally {
        await batch.close();
      }
    });
  });
});
