import { BatchClient } from '@aws-sdk/client-batch';
import { defineJob, JOB_EXIT } from '@observes/job-core';
import { sendAlert } from './alerts.js';
import { describeJobs, listJobs } from './batch-listing.js';
import { assessJobs, jobsToDescribe } from './job-assessment.js';
import { batchStabilitySettings, type BatchStabilityConfig } from './settings.js';
import { alertSubject, formatAssessment } from './stability-report.js';

/**
 * batch-stability: lists the queues' jobs (ListJobs by status, nextToken pages), describes those in
 * the window (DescribeJobs, 100 at a time), and reports failed, stuck and overdue jobs per pipeline.
 * Exit 3 when anything failed, is stuck or overdue; warnings (recovered failures, Batch retries)
 * leave it 0.
 */
export const batchStabilityJob = defineJob<BatchStabilityConfig>({
  name: 'batch-stability',
  version: '0.1.0',
  description:
    "Checks the AWS Batch jobs of the product's queues: failed (unless a later run succeeded), stuck RUNNABLE/STARTING, and RUNNING past the pipeline's timeout, grouped by pipeline; a table, a JSON report, an exit code and an optional SNS or webhook alert.",
  settings: batchStabilitySettings,
  async run({ config, logger, now, print }) {
    const client = new BatchClient({
      region: config.region ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    });
    const checkedAt = now();
    let assessment: ReturnType<typeof assessJobs>;
    try {
      const listed = await listJobs(client, config.job_queues, config.page_size);
      logger.info('jobs listed', { queues: config.job_queues, jobs: listed.length });
      const details = await describeJobs(client, jobsToDescribe(listed, checkedAt, config.lookback_hours));
      assessment = assessJobs(listed, details, {
        now: checkedAt,
        lookbackHours: config.lookback_hours,
        stuckMinutes: config.stuck_minutes,
        timeoutMarginSeconds: config.timeout_margin_seconds,
        runningLimitHours: config.running_limit_hours,
        jobDefinitionPrefix: config.job_definition_prefix,
      });
    } finally {
      client.destroy();
    }
    const text = formatAssessment(assessment);
    print(text);
    const warnings = assessment.totals.recovered + assessment.totals.retried;
    const alert = config.alert_on === 'problems' ? !assessment.healthy : config.alert_on === 'warnings' ? !assessment.healthy || warnings > 0 : false;
    const report = { ...assessment, queues: config.job_queues, alerted: [] as string[] };
    if (alert && (config.sns_topic_arn || config.webhook_url)) {
      report.alerted = await sendAlert(
        { snsTopicArn: config.sns_topic_arn, snsEndpoint: config.sns_endpoint, region: config.region, webhookUrl: config.webhook_url },
        alertSubject(assessment),
        text,
        report,
        logger,
      );
    }
    logger[assessment.healthy ? 'info' : 'error']('batch stability checked', { healthy: assessment.healthy, ...assessment.totals, alerted: report.alerted });
    return { exitCode: assessment.healthy ? JOB_EXIT.ok : JOB_EXIT.problems, report };
  },
});
