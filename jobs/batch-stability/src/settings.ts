import type { JsonSchema } from '@observes/protocol';
import { RUNNER_STOP_MARGIN_SECONDS } from '@observes/runner/batch-schedule';

/** The validated settings of batch-stability (see {@link batchStabilitySettings}). */
export interface BatchStabilityConfig {
  job_queues: string[];
  lookback_hours: number;
  stuck_minutes: number;
  timeout_margin_seconds: number;
  running_limit_hours: number;
  job_definition_prefix: string;
  page_size: number;
  region?: string;
  endpoint?: string;
  alert_on: 'problems' | 'warnings' | 'never';
  sns_topic_arn?: string;
  sns_endpoint?: string;
  webhook_url?: string;
}

/** The one declaration of batch-stability's settings (flags, `BATCH_STABILITY_<SETTING>`, `--help`, `--about`). */
export const batchStabilitySettings: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['job_queues'],
  properties: {
    job_queues: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'Job queues (names or ARNs) whose jobs are checked' },
    lookback_hours: { type: 'number', exclusiveMinimum: 0, default: 24, description: 'Finished jobs are checked when they stopped within this many hours' },
    stuck_minutes: { type: 'number', exclusiveMinimum: 0, default: 60, description: 'A job RUNNABLE or STARTING for longer than this (since it was submitted) is stuck' },
    timeout_margin_seconds: {
      type: 'integer',
      minimum: 0,
      default: RUNNER_STOP_MARGIN_SECONDS,
      description: "What infra adds to a pipeline's timeout for Batch's: a job RUNNING past its attempt timeout minus this is past its pipeline's timeout",
    },
    running_limit_hours: { type: 'number', exclusiveMinimum: 0, default: 24, description: 'Longest run of a job without a timeout before it counts as overdue' },
    job_definition_prefix: { type: 'string', default: '', description: 'Prefix of the job definition names (observes-): removed to name the pipeline' },
    page_size: { type: 'integer', minimum: 1, maximum: 1000, default: 1000, description: 'ListJobs maxResults (Batch returns at most 1000 per page when listing by status)' },
    region: { type: 'string', minLength: 1, description: 'AWS region; default AWS_REGION, else us-east-1' },
    endpoint: { type: 'string', format: 'uri', description: 'Batch endpoint (a local fake in tests); default AWS' },
    alert_on: { type: 'string', enum: ['problems', 'warnings', 'never'], default: 'problems', description: 'When to send the alert: when something failed or is stuck, also for warnings, or never' },
    sns_topic_arn: { type: 'string', pattern: '^arn:', description: 'SNS topic the alert is published to' },
    sns_endpoint: { type: 'string', format: 'uri', description: 'SNS endpoint (a local fake in tests); default AWS' },
    webhook_url: { type: 'string', format: 'uri', description: 'URL the alert is POSTed to as JSON {text, report} (Slack-compatible text)' },
  },
} as JsonSchema;
