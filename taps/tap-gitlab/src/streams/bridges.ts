import { defineStream, loadSchema, nextPageHeaderPaginator } from '@observes/tap-sdk';
import type { JsonRecord } from '@observes/protocol';
import type { GitlabConfig } from '../config.js';
import { projectUnavailable } from '../gitlab-errors.js';
import { projectPartitions, type ProjectPartition } from '../gitlab-projects.js';
import { updatedListing } from '../updated-listing.js';
import { PIPELINE_LISTINGS } from './updated-stream.js';

/** Pipelines between two checkpoints of the bookmark. */
const PIPELINES_PER_CHECKPOINT = 20;

/**
 * `bridges`: trigger jobs, which start a downstream (child or multi-project) pipeline and are not among a project's
 * jobs: GitLab lists them per pipeline only (https://docs.gitlab.com/ee/api/jobs.html (List pipeline trigger jobs, formerly bridges)).
 * For each pipeline updated since the bookmark (child pipelines too), oldest update first, its bridges are read
 * and emitted with `pipeline_updated_at`, the pipeline's `updated_at` when they were read: the bookmark, per project,
 * checkpointed as pipelines go. A bridge changes status with its pipeline, so it comes again when that one changes.
 */
export const bridgesStream = defineStream<GitlabConfig, ProjectPartition>({
  name: 'bridges',
  schema: loadSchema('tap-gitlab', 'bridges'),
  keyProperties: ['id'],
  replicationKey: 'pipeline_updated_at',
  sortedByReplicationKey: true,
  partitions: projectPartitions,
  skipPartitionOn: projectUnavailable,
  async *records(ctx) {
    const projectId = ctx.partition!.project_id;
    const since = ctx.bookmark ?? ctx.startDate;
    const changed = updatedListing(ctx.http, `projects/${projectId}/pipelines`, {
      since: since === undefined ? undefined : String(since),
      perPage: ctx.config.per_page,
      listings: PIPELINE_LISTINGS,
    });
    let read = 0;
    let lastUpdate: string | undefined;
    for await (const pipeline of changed) {
      lastUpdate = pipeline.updated_at;
      const bridges = ctx.http.paginate<JsonRecord>(`projects/${projectId}/pipelines/${pipeline.id}/bridges`, {
        paginator: nextPageHeaderPaginator({ size: ctx.config.per_page }),
      });
      for await (const bridge of bridges) yield { ...bridge, project_id: projectId, pipeline_updated_at: lastUpdate };
      // Most pipelines have no bridge: the bookmark moves with the pipelines read, not only with the records.
      if (++read % PIPELINES_PER_CHECKPOINT === 0) await ctx.checkpoint({ bookmark: lastUpdate });
    }
    if (lastUpdate !== undefined) await ctx.checkpoint({ bookmark: lastUpdate });
  },
});
