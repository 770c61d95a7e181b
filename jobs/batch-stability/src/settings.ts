import { setting, type SettingsOf } from '@observes/protocol';
import { RUNNER_STOP_MARGIN_SECONDS } from '@observes/runner/batch-schedule';

/** The one declaration of batch-stability's settings (type, flags, `BATCH_STABILITY_<SETTING>`, `--help`, `--about`, README). */
export const batchStabilitySettings = setting.object({
  job_queues: setting.array(setting.string({ minLength: 1 }), {
    required: true,
    minItems: 1,
    description: 'Job queues (names or ARNs) whose jobs are checked',
    examples: [['observes']],
  }),
  lookback_hours: setting.number({ exclusiveMinimum: 0, default: 24, description: 'Finished jobs are checked when they stopped within this many hours' }),
  stuck_minutes: setting.number({
    exclusiveMinimum: 0,
    default: 60,
    description: 'A job RUNNABLE or STARTING for longer than this (since it was submitted) is stuck',
  }),
  timeout_margin_seconds: setting.integer({
    minimum: 0,
    default: RUNNER_STOP_MARGIN_SECONDS,
    description: "What infra adds to a pipeline's timeout for Batch's: a job RUNNING past its attempt timeout minus this is past its pipeline's timeout",
  }),
  running_limit_hours: setting.number({ exclusiveMinimum: 0, default: 24, description: 'Longest run of a job without a timeout before it counts as overdue' }),
  job_definition_prefix: setting.string({ default: '', description: 'Prefix of the job definition names (observes-): removed to name the pipeline' }),
  page_size: setting.integer({
    minimum: 1,
    maximum: 1000,
    default: 1000,
    description: 'ListJobs maxResults (Batch returns at most 1000 per page when listing by status)',
  }),
  region: setting.string({ minLength: 1, description: 'AWS region; default AWS_REGION, else us-east-1' }),
  endpoint: setting.string({ format: 'uri', description: 'Batch endpoint (a local fake in tests); default AWS' }),
  alert_on: setting.enum(['problems', 'warnings', 'never'] as const, {
    default: 'problems',
    description: 'When to send the alert: when something failed or is stuck, also for warnings, or never',
  }),
  sns_topic_arn: setting.string({ pattern: '^arn:', description: 'SNS topic the alert is published to' }),
  sns_endpoint: setting.string({ format: 'uri', description: 'SNS endpoint (a local fake in tests); default AWS' }),
  webhook_url: setting.string({ format: 'uri', secret: true, description: 'URL the alert is POSTed to as JSON {text, report} (Slack-compatible text)' }),
});

/** The validated settings of batch-stability (see {@link batchStabilitySettings}). */
export type BatchStabilityConfig = SettingsOf<typeof batchStabilitySettings>;
