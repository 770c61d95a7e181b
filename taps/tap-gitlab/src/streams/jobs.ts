import { defineStream, HttpError, loadSchema, nextPageHeaderPaginator } from '@observes/tap-sdk';
import type { GitlabConfig } from '../config.js';
import { projectUnavailable } from '../gitlab-errors.js';
import { projectPartitions, type ProjectPartition } from '../gitlab-projects.js';
import type { GitlabJob, GitlabPipeline } from '../gitlab-records.js';
import { UNFINISHED_JOB_STATUSES } from '../job-statuses.js';
import { parseDuration } from '../parse-duration.js';
import { projectJobPages } from '../project-jobs.js';
import { updatedListing } from '../updated-listing.js';
import { PIPELINE_LISTINGS } from './updated-stream.js';

/** Where the jobs walk of a project stands, kept in its state next to the bookmark (a job id). */
export interface JobsProgress {
  /** A walk under way: the newest job it started from, when its first page was read, and the page to go on from. */
  walk?: { top: number; started_at: string; next: string };
  /** When the last complete walk read its first page. */
  walked_at?: string;
  /** Pipelines updated at or after this instant have not been revisited yet. */
  revisit_after?: string;
}

/** Walk pages between two checkpoints (each STATE carries every bookmark of the run: not one per page). */
const PAGES_PER_CHECKPOINT = 10;
/** Revisits between two checkpoints of the revisit position. */
const REVISITS_PER_CHECKPOINT = 20;

/**
 * `jobs`: CI jobs (builds) of each project, in two parts per run.
 *
 * 1. **Walk**: new jobs, newest first by keyset pages, down to the bookmark (the newest job id of the last complete
 *    walk), every job emitted with its current status, finished or not. The position is checkpointed every ten
 *    pages (`progress.walk`, with the next page's URL), so a run that fails resumes the walk about where it stopped.
 * 2. **Revisit**: jobs emitted earlier may have changed since. A job's pipeline is updated whenever its status
 *    changes, so the pipelines updated since the last walk (child pipelines too) that existed before it have all
 *    their jobs fetched again (`/pipelines/:id/jobs`); pipelines created after the last walk and not updated since
 *    this one started were read whole by the walk and are skipped. The window of pipelines ends `safety_window`
 *    before this walk started (clock skew, commit lag) and the next run starts from there.
 *
 * So nothing holds the bookmark: an unfinished job, or `created` jobs behind a manual job that nobody plays for
 * months, cost nothing until their pipeline changes, and then come again with their new status.
 */
export const jobsStream = defineStream<GitlabConfig, ProjectPartition>({
  name: 'jobs',
  schema: loadSchema('tap-gitlab', 'jobs'),
  keyProperties: ['id'],
  replicationKey: 'id',
  sortedByReplicationKey: false,
  partitions: projectPartitions,
  skipPartitionOn: projectUnavailable,
  async *records(ctx) {
    const projectId = ctx.partition!.project_id;
    const bookmark = ctx.bookmark === undefined ? undefined : Number(ctx.bookmark);
    const progress: JobsProgress = (ctx.progress as JobsProgress | undefined) ?? {};
    const marginMs = parseDuration(ctx.config.safety_window);
    const startMs = ctx.startDate === undefined ? -Infinity : Date.parse(ctx.startDate);
    const withProject = (job: GitlabJob) => ({ ...job, project_id: projectId });
    if (ctx.config.manual_jobs_window !== undefined)
      ctx.logger.warn('manual_jobs_window has no effect any more: manual jobs come again when their pipeline changes; remove it');

    // 1. The walk, resumed when the last one stopped half-way (from a next page of this instance only).
    const resume = progress.walk?.next.startsWith(ctx.config.api_url) ? progress.walk : undefined;
    const walkStartedAt = resume?.started_at ?? ctx.now().toISOString();
    let top = resume?.top;
    let walked = 0;
    let unfinished = 0;
    // Offset pages (on instances without keyset pages) shift when jobs start during the walk: only go down.
    let last = Infinity;
    let pages = 0;
    walk: for await (const page of projectJobPages(ctx, projectId, { resumeUrl: resume?.next })) {
      for (const job of page.jobs) {
        const id = job.id;
        if ((bookmark !== undefined && id <= bookmark) || Date.parse(job.created_at ?? '') < startMs) break walk;
        if (id >= last) continue;
        last = id;
        top ??= id;
        walked++;
        if (UNFINISHED_JOB_STATUSES.includes(job.status)) unfinished++;
        yield withProject(job);
      }
      if (!page.next) break;
      if (++pages % PAGES_PER_CHECKPOINT === 0) {
        await ctx.checkpoint({ progress: { ...progress, walk: { top: top ?? bookmark ?? 0, started_at: walkStartedAt, next: page.next } } });
      }
    }
    const walkedAt = { walked_at: walkStartedAt, revisit_after: progress.revisit_after };
    const newTop = top ?? bookmark;
    await ctx.checkpoint(newTop === undefined ? { progress: walkedAt } : { bookmark: newTop, progress: walkedAt });

    // 2. The revisit of pipelines changed since the previous complete walk.
    const windowEnd = new Date(Date.parse(walkStartedAt) - marginMs).toISOString();
    let revisited = 0;
    if (progress.walked_at !== undefined && bookmark !== undefined) {
      const since = progress.revisit_after ?? new Date(Date.parse(progress.walked_at) - marginMs).toISOString();
      // Jobs of pipelines created after this were all new to this walk, which read them after the pipeline's last update.
      const walkedWholeAfterMs = Date.parse(progress.walked_at) + marginMs;
      const changed = updatedListing<GitlabPipeline>(ctx.http, `projects/${projectId}/pipelines`, {
        since,
        before: windowEnd,
        perPage: ctx.config.per_page,
        listings: PIPELINE_LISTINGS,
      });
      for await (const pipeline of changed) {
        if (Date.parse(pipeline.created_at ?? '') > walkedWholeAfterMs) continue;
        try {
          const jobs = ctx.http.paginate<GitlabJob>(`projects/${projectId}/pipelines/${pipeline.id}/jobs`, {
            paginator: nextPageHeaderPaginator({ size: ctx.config.per_page }),
          });
          for await (const job of jobs) yield withProject(job);
        } catch (error) {
          // Deleted since it was listed: nothing left to revisit.
          if (!(error instanceof HttpError && error.status === 404)) throw error;
        }
        if (++revisited % REVISITS_PER_CHECKPOINT === 0) {
          await ctx.checkpoint({ progress: { walked_at: walkStartedAt, revisit_after: pipeline.updated_at } });
        }
      }
    }
    await ctx.checkpoint({ progress: { walked_at: walkStartedAt, revisit_after: windowEnd } });
    ctx.logger.info('jobs walked and pipelines revisited', {
      project_id: projectId,
      new_jobs: walked,
      unfinished_jobs: unfinished,
      revisited_pipelines: revisited,
      bookmark: newTop,
    });
  },
});
