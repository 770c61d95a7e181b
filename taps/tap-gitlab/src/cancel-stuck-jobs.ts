import type { Logger } from '@observes/protocol';
import type { GitlabJob } from './gitlab-records.js';
import { HttpError, type HttpClient, type TapCommand } from '@observes/tap-sdk';
import type { GitlabConfig } from './config.js';
import { GATED_PIPELINE_STATUSES, UNFINISHED_JOB_STATUSES } from './job-statuses.js';
import { parseDuration } from './parse-duration.js';
import { projectJobPages } from './project-jobs.js';

/**
 * Statuses of the jobs this command looks at: every unfinished one but `manual` and `scheduled`, which wait for a
 * person or a time and are never canceled. https://docs.gitlab.com/ee/api/jobs.html#list-project-jobs (`scope`)
 */
export const STUCK_JOB_STATUSES: readonly string[] = UNFINISHED_JOB_STATUSES.filter((status) => status !== 'scheduled');

/** What the command decided for a job. */
export type StuckJobDecision = 'cancel' | 'force-cancel' | 'keep';

/** One job looked at, what was decided and why. */
export interface JobDecision {
  id: number;
  name: GitlabJob['name'];
  status: string;
  pipeline_id: number | null | undefined;
  /** The pipeline's status: `manual` means a blocking manual job holds it. */
  pipeline_status: string | null | undefined;
  /** Which clock says since when the job is in its state: `started_at`, `queued_duration` or `created_at`. */
  clock: 'started_at' | 'queued_duration' | 'created_at';
  /** When the job entered its current state, by that clock. */
  since: string;
  age_seconds: number;
  decision: StuckJobDecision;
  reason: string;
  web_url: string | null | undefined;
  /** Status after the cancel request; absent when nothing was sent (a kept job, or `--dry-run`). */
  status_after?: string;
  /** Why the cancel request failed, if it did. */
  error?: string;
}

/** A job the command canceled (or would have, with `--dry-run`), as in {@link CancelStuckJobsReport.stuck}. */
export type StuckJob = JobDecision;

/** The JSON summary `cancel-stuck-jobs` prints. */
export interface CancelStuckJobsReport {
  project: string;
  older_than: string;
  /** Jobs in their state since before this instant were stuck. */
  threshold: string;
  dry_run: boolean;
  /** Whether jobs stuck in `canceling` were force-canceled (`--force`). */
  force: boolean;
  /** Unfinished jobs looked at (every status of {@link STUCK_JOB_STATUSES}). */
  examined: number;
  /** Every decision, one per job examined. */
  decisions: JobDecision[];
  /** The decisions to cancel or force-cancel: done, or to do with `--dry-run`. */
  stuck: StuckJob[];
  canceled: number;
  failed: number;
}

/**
 * Since when a job is in its state, by GitLab's own clocks: a running or canceling job since it started; a
 * pending job since it was queued (`queued_duration` is the time it has waited for a runner); others since they
 * were created (the only clock they have). Never `created_at` for a pending or running job: a job waits behind
 * earlier stages before it is queued, and that is not being stuck.
 */
function clockOf(job: GitlabJob, nowMs: number): { clock: JobDecision['clock']; sinceMs: number } {
  if ((job.status === 'running' || job.status === 'canceling') && typeof job.started_at === 'string')
    return { clock: 'started_at', sinceMs: Date.parse(job.started_at) };
  if (job.status === 'pending' && typeof job.queued_duration === 'number') return { clock: 'queued_duration', sinceMs: nowMs - job.queued_duration * 1000 };
  return { clock: 'created_at', sinceMs: Date.parse(job.created_at ?? '') };
}

/** The decision for one unfinished job, and why; `old` says whether it has been in its state past the threshold. */
function decide(job: GitlabJob, old: boolean, force: boolean): { decision: StuckJobDecision; reason: string } {
  const pipelineStatus = job.pipeline?.status ?? undefined;
  const keep = (reason: string) => ({ decision: 'keep' as const, reason });
  switch (job.status) {
    case 'running':
      return old ? { decision: 'cancel', reason: 'running for longer than the threshold' } : keep('running, not for long');
    case 'pending':
      return old ? { decision: 'cancel', reason: 'waiting for a runner for longer than the threshold' } : keep('waiting for a runner, not for long');
    case 'canceling':
      if (!old) return keep('canceling, not for long');
      return force
        ? { decision: 'force-cancel', reason: 'stuck canceling for longer than the threshold: forced' }
        : keep('stuck canceling for longer than the threshold; run with --force to force it to canceled');
    case 'created':
      if (pipelineStatus !== undefined && GATED_PIPELINE_STATUSES.includes(pipelineStatus))
        return keep(`waiting behind a ${pipelineStatus} job of its pipeline, which only a person or its time ends`);
      if (pipelineStatus === 'created' && old) return { decision: 'cancel', reason: 'its pipeline has not started for longer than the threshold' };
      return keep('waiting for earlier jobs of its pipeline (they are canceled instead when stuck)');
    case 'waiting_for_resource':
      return keep('waiting for its resource group, which another job holds');
    case 'preparing':
      return keep('preparing its environment');
    case 'waiting_for_callback':
      return keep('waiting for an external service to report');
    default:
      return keep(`status ${String(job.status)} is not canceled by this command`);
  }
}

/**
 * Cancels the project's jobs stuck for longer than `olderThan` (running too long, waiting for a runner too long,
 * a pipeline that never started; with `force`, jobs stuck in `canceling`), leaves every other unfinished job alone
 * (manual gates, resource groups, external callbacks, earlier stages still running), and reports every decision.
 */
export async function cancelStuckJobs(
  ctx: { http: HttpClient; config: GitlabConfig; logger: Logger; now(): Date },
  options: { project: string; olderThan: string; dryRun: boolean; force?: boolean },
): Promise<CancelStuckJobsReport> {
  const nowMs = ctx.now().getTime();
  const thresholdMs = nowMs - parseDuration(options.olderThan);
  const force = options.force === true;
  const decisions: JobDecision[] = [];
  for await (const page of projectJobPages(ctx, options.project, { scope: STUCK_JOB_STATUSES })) {
    for (const job of page.jobs) {
      const { clock, sinceMs } = clockOf(job, nowMs);
      const pipeline = job.pipeline;
      decisions.push({
        id: job.id,
        name: job.name,
        status: job.status,
        pipeline_id: pipeline?.id,
        pipeline_status: pipeline?.status,
        clock,
        since: new Date(sinceMs).toISOString(),
        age_seconds: Math.round((nowMs - sinceMs) / 1000),
        ...decide(job, sinceMs < thresholdMs, force),
        web_url: job.web_url,
      });
    }
  }
  const stuck = decisions.filter((d) => d.decision !== 'keep');
  if (!options.dryRun) {
    for (const job of stuck) {
      try {
        // https://docs.gitlab.com/ee/api/jobs.html#cancel-a-job: `force` ends a job stuck in `canceling`.
        const after = await ctx.http.request<Pick<GitlabJob, 'status'>>({
          method: 'POST',
          url: `projects/${encodeURIComponent(options.project)}/jobs/${job.id}/cancel`,
          query: job.decision === 'force-cancel' ? { force: true } : undefined,
        });
        job.status_after = after.body.status;
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        job.error = error.message;
      }
    }
  }
  for (const job of decisions)
    ctx.logger.info(`job ${job.id}: ${job.decision}: ${job.reason}`, { job_id: job.id, status: job.status, status_after: job.status_after, error: job.error });
  return {
    project: options.project,
    older_than: options.olderThan,
    threshold: new Date(thresholdMs).toISOString(),
    dry_run: options.dryRun,
    force,
    examined: decisions.length,
    decisions,
    stuck,
    canceled: stuck.filter((job) => job.status_after !== undefined).length,
    failed: stuck.filter((job) => job.error !== undefined).length,
  };
}

/** `tap-gitlab cancel-stuck-jobs --project <id> --older-than 8h [--force] [--dry-run]`: prints a JSON report; exit 1 if a cancel failed. */
export const cancelStuckJobsCommand: TapCommand<GitlabConfig> = {
  describe: 'cancel the jobs of a project stuck longer than a threshold (never manual or gated ones), and print a JSON report of every decision',
  options: {
    project: { type: 'string', demandOption: true, describe: 'project id or full path' },
    'older-than': { type: 'string', default: '8h', describe: 'how long a job may run, or wait for a runner, before it is stuck: 8h, 90m, 2d' },
    force: { type: 'boolean', default: false, describe: "force jobs stuck in canceling to canceled (the API's force flag)" },
    'dry-run': { type: 'boolean', default: false, describe: 'only report what would be done' },
  },
  async run(ctx) {
    const report = await cancelStuckJobs(ctx, {
      project: String(ctx.args.project),
      olderThan: String(ctx.args['older-than']),
      dryRun: ctx.args['dry-run'] === true,
      force: ctx.args.force === true,
    });
    ctx.print(JSON.stringify(report));
    ctx.logger.info('cancel-stuck-jobs done', {
      project: report.project,
      examined: report.examined,
      stuck: report.stuck.length,
      canceled: report.canceled,
      failed: report.failed,
      dry_run: report.dry_run,
    });
    if (report.failed > 0) throw new Error(`${report.failed} of ${report.stuck.length} stuck jobs could not be canceled`);
  },
};
