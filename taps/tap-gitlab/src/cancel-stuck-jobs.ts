import type { JsonRecord } from '@observes/protocol';
import { HttpError, nextPageHeaderPaginator, type HttpClient, type TapCommand } from '@observes/tap-sdk';
import type { GitlabConfig } from './config.js';
import { parseDuration } from './parse-duration.js';

/** Statuses of a job that has not started or not finished, which this command cancels when too old. */
export const STUCK_JOB_STATUSES: readonly string[] = ['created', 'pending', 'running'];

/** One job the command acted on (or would have, with `--dry-run`). */
export interface StuckJob {
  id: number;
  name: string;
  status: string;
  /** When the job entered its current state: `started_at` for running jobs, `created_at` otherwise. */
  since: string;
  age_seconds: number;
  web_url: string | undefined;
  /** Status after the cancel request; absent with `--dry-run`. */
  status_after?: string;
  /** Why the cancel request failed, if it did. */
  error?: string;
}

/** The JSON summary `cancel-stuck-jobs` prints. */
export interface CancelStuckJobsReport {
  project: string;
  older_than: string;
  /** Jobs in their state since before this instant were stuck. */
  threshold: string;
  dry_run: boolean;
  /** Created, pending and running jobs looked at. */
  examined: number;
  /** Stuck jobs: canceled, or to cancel with `--dry-run`. */
  stuck: StuckJob[];
  canceled: number;
  failed: number;
}

/** How long a job has been in its current state, from the API's timestamps. */
function stateSince(job: JsonRecord): string {
  return ((job.status === 'running' ? job.started_at : undefined) ?? job.created_at) as string;
}

/**
 * Cancels the project's created, pending and running jobs that have been so for longer than `olderThan`
 * (stuck jobs block runners and pin the `jobs` bookmark, so every run walks all newer jobs again), and reports what it did.
 */
export async function cancelStuckJobs(
  ctx: { http: HttpClient; config: GitlabConfig; now(): Date },
  options: { project: string; olderThan: string; dryRun: boolean },
): Promise<CancelStuckJobsReport> {
  const thresholdMs = ctx.now().getTime() - parseDuration(options.olderThan);
  const path = `projects/${encodeURIComponent(options.project)}/jobs`;
  const candidates = ctx.http.paginate<JsonRecord>(path, {
    paginator: nextPageHeaderPaginator({ size: ctx.config.per_page }),
    query: { 'scope[]': STUCK_JOB_STATUSES },
  });
  const stuck: StuckJob[] = [];
  let examined = 0;
  for await (const job of candidates) {
    examined++;
    const since = stateSince(job);
    if (!(Date.parse(since) < thresholdMs)) continue;
    stuck.push({
      id: job.id as number,
      name: job.name as string,
      status: job.status as string,
      since,
      age_seconds: Math.round((ctx.now().getTime() - Date.parse(since)) / 1000),
      web_url: job.web_url as string | undefined,
    });
  }
  if (!options.dryRun) {
    for (const job of stuck) {
      try {
        const after = await ctx.http.request<JsonRecord>({ method: 'POST', url: `${path}/${job.id}/cancel` });
        job.status_after = after.body.status as string;
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        job.error = error.message;
      }
    }
  }
  return {
    project: options.project,
    older_than: options.olderThan,
    threshold: new Date(thresholdMs).toISOString(),
    dry_run: options.dryRun,
    examined,
    stuck,
    canceled: stuck.filter((job) => job.status_after !== undefined).length,
    failed: stuck.filter((job) => job.error !== undefined).length,
  };
}

/** `tap-gitlab cancel-stuck-jobs --project <id> --older-than 8h [--dry-run]`: prints a JSON report; exit 1 if a cancel failed. */
export const cancelStuckJobsCommand: TapCommand<GitlabConfig> = {
  describe: 'cancel created, pending and running jobs of a project older than a threshold, and print a JSON report',
  options: {
    project: { type: 'string', demandOption: true, describe: 'project id or full path' },
    'older-than': { type: 'string', default: '8h', describe: 'age past which a job is stuck, e.g. 8h, 90m, 2d' },
    'dry-run': { type: 'boolean', default: false, describe: 'only report the jobs that would be canceled' },
  },
  async run(ctx) {
    const report = await cancelStuckJobs(ctx, {
      project: String(ctx.args.project),
      olderThan: String(ctx.args['older-than']),
      dryRun: ctx.args['dry-run'] === true,
    });
    ctx.print(JSON.stringify(report));
    ctx.logger.info('cancel-stuck-jobs done', { project: report.project, stuck: report.stuck.length, canceled: report.canceled, failed: report.failed, dry_run: report.dry_run });
    if (report.failed > 0) throw new Error(`${report.failed} of ${report.stuck.length} stuck jobs could not be canceled`);
  },
};
