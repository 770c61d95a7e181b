import { defineStream, loadSchema, type StreamDefinition } from '@observes/tap-sdk';
import type { JsonRecord } from '@observes/protocol';
import type { GitlabConfig } from '../config.js';
import { projectPartitions, type ProjectPartition } from '../gitlab-projects.js';
import { updatedAfterPaginator } from '../updated-after-paginator.js';

/**
 * A per-project stream GitLab can filter with `updated_after` and sort by `updated_at` (pipelines, merge requests,
 * issues): incremental, sorted, so STATE is checkpointed as it goes, bookmarked per project.
 * @param name - stream name, also the schema file
 * @param path - list path under `projects/:id/`
 * @param query - extra list parameters (e.g. `scope=all` so a token sees every item, not only its own)
 */
export function updatedStream(name: string, path: string, query: Record<string, string> = {}): StreamDefinition<GitlabConfig, ProjectPartition> {
  return defineStream<GitlabConfig, ProjectPartition>({
    name,
    schema: loadSchema('tap-gitlab', name),
    keyProperties: ['id'],
    replicationKey: 'updated_at',
    sortedByReplicationKey: true,
    partitions: projectPartitions,
    async *records(ctx) {
      const projectId = ctx.partition!.project_id;
      const since = ctx.bookmark ?? ctx.startDate;
      const sinceMs = since === undefined ? -Infinity : Date.parse(String(since));
      // A second earlier than the bookmark: pipelines compare with `>` and issues with `≥`; items are re-checked below.
      const updatedAfter = since === undefined ? undefined : new Date(sinceMs - 1000).toISOString();
      let maxMs = -Infinity;
      let idsAtMax = new Set<unknown>();
      const listing = ctx.http.paginate<JsonRecord>(`projects/${projectId}/${path}`, {
        paginator: updatedAfterPaginator(ctx.config.per_page),
        query: { ...query, order_by: 'updated_at', sort: 'asc', updated_after: updatedAfter },
      });
      for await (const item of listing) {
        const updatedMs = Date.parse(item.updated_at as string);
        // ≥ the bookmark (at-least-once), and each (id, updated_at) once although the paginator asks twice at page edges.
        if (updatedMs < sinceMs || updatedMs < maxMs || (updatedMs === maxMs && idsAtMax.has(item.id))) continue;
        if (updatedMs > maxMs) {
          maxMs = updatedMs;
          idsAtMax = new Set();
        }
        idsAtMax.add(item.id);
        yield { ...item, project_id: item.project_id ?? projectId };
      }
    },
  });
}

/** `pipelines`: CI pipelines by `updated_at`. */
export const pipelinesStream = updatedStream('pipelines', 'pipelines');
/** `merge_requests`: every merge request (`scope=all`; every state by default) by `updated_at`. */
export const mergeRequestsStream = updatedStream('merge_requests', 'merge_requests', { scope: 'all' });
/** `issues`: every issue (`scope=all`; every state by default) by `updated_at`. */
export const issuesStream = updatedStream('issues', 'issues', { scope: 'all' });
