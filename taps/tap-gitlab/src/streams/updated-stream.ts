import { defineStream, loadSchema, type Query, type StreamDefinition } from '@observes/tap-sdk';
import type { GitlabConfig } from '../config.js';
import { projectUnavailable } from '../gitlab-errors.js';
import { projectPartitions, type ProjectPartition } from '../gitlab-projects.js';
import { updatedListing } from '../updated-listing.js';

/**
 * A per-project stream GitLab can filter with `updated_after` and sort by `updated_at` (pipelines, merge requests,
 * issues): incremental, sorted, so STATE is checkpointed as it goes, bookmarked per project. A project answering
 * 403/404 on it (the feature is off) is skipped.
 * @param name - stream name, also the schema file
 * @param path - list path under `projects/:id/`
 * @param listings - one query per listing merged into the stream (e.g. `scope=all` so a token sees every item,
 *   not only its own; a second listing of child pipelines)
 */
export function updatedStream(name: string, path: string, listings: Query[] = [{}]): StreamDefinition<GitlabConfig, ProjectPartition> {
  return defineStream<GitlabConfig, ProjectPartition>({
    name,
    schema: loadSchema('tap-gitlab', name),
    keyProperties: ['id'],
    replicationKey: 'updated_at',
    sortedByReplicationKey: true,
    partitions: projectPartitions,
    skipPartitionOn: projectUnavailable,
    async *records(ctx) {
      const projectId = ctx.partition!.project_id;
      const since = ctx.bookmark ?? ctx.startDate;
      const listing = updatedListing(ctx.http, `projects/${projectId}/${path}`, {
        since: since === undefined ? undefined : String(since),
        perPage: ctx.config.per_page,
        listings,
      });
      for await (const item of listing) yield { ...item, project_id: item.project_id ?? projectId };
    },
  });
}

/**
 * Listings of a project's pipelines: the default one, and child pipelines, which GitLab lists only for
 * `source=parent_pipeline` (GitLab 17.0; earlier versions answer that listing empty).
 * https://docs.gitlab.com/ee/api/pipelines.html#list-project-pipelines
 */
export const PIPELINE_LISTINGS: Query[] = [{}, { source: 'parent_pipeline' }];

/** `pipelines`: CI pipelines by `updated_at`, child pipelines included. */
export const pipelinesStream = updatedStream('pipelines', 'pipelines', PIPELINE_LISTINGS);
/** `merge_requests`: every merge request (`scope=all`; every state by default) by `updated_at`. */
export const mergeRequestsStream = updatedStream('merge_requests', 'merge_requests', [{ scope: 'all' }]);
/** `issues`: every issue (`scope=all`; every state by default) by `updated_at`. */
export const issuesStream = updatedStream('issues', 'issues', [{ scope: 'all' }]);
