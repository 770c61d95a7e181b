import { defineStream, loadSchema, nextPageHeaderPaginator } from '@observes/tap-sdk';
import type { JsonRecord } from '@observes/protocol';
import type { GitlabConfig } from '../config.js';
import { projectPartitions, type ProjectPartition } from '../gitlab-projects.js';

/** `members`: direct members of each project, full table (GitLab has no change filter for them). */
export const membersStream = defineStream<GitlabConfig, ProjectPartition>({
  name: 'members',
  schema: loadSchema('tap-gitlab', 'members'),
  keyProperties: ['project_id', 'id'],
  partitions: projectPartitions,
  async *records(ctx) {
    const projectId = ctx.partition!.project_id;
    const listing = ctx.http.paginate<JsonRecord>(`projects/${projectId}/members`, { paginator: nextPageHeaderPaginator({ size: ctx.config.per_page }) });
    for await (const member of listing) yield { ...member, project_id: projectId };
  },
});
