import { defineStream, loadSchema, nextPageHeaderPaginator } from '@observes/tap-sdk';
import type { JsonRecord } from '@observes/protocol';
import type { GitlabConfig } from '../config.js';
import { projectPartitions, type ProjectPartition } from '../gitlab-projects.js';

/**
 * `commits`: commits of the default branch with `since` (inclusive) at the bookmark. They come newest first, so
 * the bookmark only moves when a project's walk completes. Git dates are set by committers, not by the push: a
 * branch merged with commits dated before the bookmark is not picked up (the merge commit is).
 */
export const commitsStream = defineStream<GitlabConfig, ProjectPartition>({
  name: 'commits',
  schema: loadSchema('tap-gitlab', 'commits'),
  keyProperties: ['project_id', 'id'],
  replicationKey: 'committed_date',
  sortedByReplicationKey: false,
  partitions: projectPartitions,
  async *records(ctx) {
    const projectId = ctx.partition!.project_id;
    const since = ctx.bookmark ?? ctx.startDate;
    const listing = ctx.http.paginate<JsonRecord>(`projects/${projectId}/repository/commits`, {
      paginator: nextPageHeaderPaginator({ size: ctx.config.per_page }),
      query: { since: since === undefined ? undefined : String(since) },
    });
    for await (const commit of listing) yield { ...commit, project_id: projectId };
  },
});
