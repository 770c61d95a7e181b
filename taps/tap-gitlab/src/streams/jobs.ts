import { defineStream, loadSchema, nextPageHeaderPaginator } from '@observes/tap-sdk';
import type { JsonRecord } from '@observes/protocol';
import type { GitlabConfig } from '../config.js';
import { projectPartitions, type ProjectPartition } from '../gitlab-projects.js';

/**
 * Job statuses that will still change. `manual` is not among them: a manual job may wait forever, and holding the
 * bookmark behind it would stall the stream.
 */
export const UNFINISHED_JOB_STATUSES: readonly string[] = ['created', 'pending', 'preparing', 'running', 'scheduled', 'waiting_for_resource', 'canceling'];

/**
 * `jobs`: GitLab lists jobs newest first with no change filter, so the bookmark is a job id: each run walks down from
 * the newest job and stops at the bookmark. A job that has not finished would change after being bookmarked past,
 * so the run emits only the jobs older than the oldest unfinished one; the others are held back and walked again
 * next run (a stuck job holds them back until it ends: `tap-gitlab cancel-stuck-jobs`).
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
    const path = `projects/${projectId}/jobs`;
    const bookmark = ctx.bookmark === undefined ? 0 : Number(ctx.bookmark);
    const startMs = ctx.startDate === undefined ? -Infinity : Date.parse(ctx.startDate);
    // The newest job now: jobs created during the walk are left to the next run, whose unfinished check covers them.
    const [newest] = await ctx.http.get<JsonRecord[]>(path, { per_page: 1 });
    if (!newest) return;
    const top = newest.id as number;
    let holdFrom = Infinity;
    let holding: JsonRecord | undefined;
    const unfinished = ctx.http.paginate<JsonRecord>(path, {
      paginator: nextPageHeaderPaginator({ size: ctx.config.per_page }),
      query: { 'scope[]': UNFINISHED_JOB_STATUSES },
    });
    for await (const job of unfinished) {
      const id = job.id as number;
      if (id > bookmark && id <= top && id < holdFrom) {
        holdFrom = id;
        holding = job;
      }
    }
    let held = 0;
    for await (const page of ctx.http.pages<JsonRecord>(path, { paginator: nextPageHeaderPaginator({ size: ctx.config.per_page }) })) {
      let done = page.items.length === 0;
      for (const job of page.items) {
        const id = job.id as number;
        if (id <= bookmark || Date.parse(job.created_at as string) < startMs) {
          done = true;
          break;
        }
        if (id > top) continue;
        if (id >= holdFrom) {
          held++;
          continue;
        }
        yield { ...job, project_id: projectId };
      }
      if (done) break;
    }
    if (holding) {
      ctx.logger.warn('jobs held back behind an unfinished job', {
        project_id: projectId,
        job_id: holding.id,
        status: holding.status,
        created_at: holding.created_at,
        held_back: held,
      });
    }
  },
});
