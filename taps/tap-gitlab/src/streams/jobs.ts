import { defineStream, loadSchema, nextPageHeaderPaginator } from '@observes/tap-sdk';
import type { JsonRecord } from '@observes/protocol';
import type { GitlabConfig } from '../config.js';
import { projectPartitions, type ProjectPartition } from '../gitlab-projects.js';
import { parseDuration } from '../parse-duration.js';

/**
 * Job statuses that will still change. `manual` is not among them: a manual job may wait forever, and holding the
 * bookmark behind it would re-fetch everything newer on every run (see `manual_jobs_window` for a bounded wait).
 */
export const UNFINISHED_JOB_STATUSES: readonly string[] = ['created', 'pending', 'preparing', 'running', 'scheduled', 'waiting_for_resource', 'canceling'];

/**
 * `jobs`: GitLab lists jobs newest first with no change filter, so the bookmark is a job id: each run walks down from
 * the newest job to the bookmark and emits every job on the way, unfinished ones with their current status. The
 * bookmark then stays just below the oldest unfinished job seen (or moves to the newest job when all are finished),
 * so unfinished jobs are walked and emitted again next run until they end; targets merge them by `id`.
 */
export const jobsStream = defineStream<GitlabConfig, ProjectPartition>({
  name: 'jobs',
  schema: loadSchema('tap-gitlab', 'jobs'),
  keyProperties: ['id'],
  replicationKey: 'id',
  sortedByReplicationKey: false,
  partitions: projectPartitions,
  async *records(ctx) {
    const projectId = ctx.partition!.project_id;
    const bookmark = ctx.bookmark === undefined ? 0 : Number(ctx.bookmark);
    const startMs = ctx.startDate === undefined ? -Infinity : Date.parse(ctx.startDate);
    const manualSinceMs = ctx.config.manual_jobs_window === undefined ? Infinity : ctx.now().getTime() - parseDuration(ctx.config.manual_jobs_window);
    /** Still to change: its status is unfinished, or it is a manual job recent enough to be played yet. */
    const changing = (job: JsonRecord) =>
      UNFINISHED_JOB_STATUSES.includes(job.status as string) || (job.status === 'manual' && Date.parse(job.created_at as string) >= manualSinceMs);
    let newest: number | undefined;
    let oldestChanging: JsonRecord | undefined;
    let changingCount = 0;
    // Id of the last job emitted. Jobs created during the walk push older ones down onto the next offset page,
    // where they would come twice: the walk only goes down.
    let last = Infinity;
    for await (const page of ctx.http.pages<JsonRecord>(`projects/${projectId}/jobs`, { paginator: nextPageHeaderPaginator({ size: ctx.config.per_page }) })) {
      let done = page.items.length === 0;
      for (const job of page.items) {
        const id = job.id as number;
        if (id <= bookmark || Date.parse(job.created_at as string) < startMs) {
          done = true;
          break;
        }
        if (id >= last) continue;
        last = id;
        newest ??= id;
        if (changing(job)) {
          oldestChanging = job;
          changingCount++;
        }
        yield { ...job, project_id: projectId };
      }
      if (done) break;
    }
    if (newest === undefined) return;
    // Every job at or below the bookmark is final: the walk next run stops there, with `id <= bookmark`.
    ctx.setBookmark(oldestChanging ? (oldestChanging.id as number) - 1 : newest);
    if (oldestChanging) {
      ctx.logger.info('unfinished jobs emitted with their current status; the bookmark stays below the oldest, so they are fetched again next run', {
        project_id: projectId,
        unfinished: changingCount,
        oldest_job_id: oldestChanging.id,
        oldest_status: oldestChanging.status,
        oldest_created_at: oldestChanging.created_at,
      });
    }
  },
});
