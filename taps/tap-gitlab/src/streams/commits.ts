import { compareReplicationValues, defineStream, loadSchema, nextPageHeaderPaginator } from '@observes/tap-sdk';
import type { GitlabConfig } from '../config.js';
import { projectUnavailable } from '../gitlab-errors.js';
import { projectPartitions, type ProjectPartition } from '../gitlab-projects.js';
import type { GitlabCommit } from '../gitlab-records.js';
import { parseDuration } from '../parse-duration.js';

/**
 * `commits`: commits of the default branch with `since` (inclusive) at the bookmark. They come newest first, so
 * the bookmark only moves when a project's walk completes. Git dates are set by committers, not by the push: a
 * branch merged with commits dated before the bookmark is not picked up (the merge commit is), and a commit dated
 * in the future must not carry the bookmark past the present: the bookmark never passes the run's start minus
 * `safety_window` (such a commit is emitted again by every run until then; targets merge by key).
 */
export const commitsStream = defineStream<GitlabConfig, ProjectPartition>({
  name: 'commits',
  schema: loadSchema('tap-gitlab', 'commits'),
  keyProperties: ['project_id', 'id'],
  replicationKey: 'committed_date',
  sortedByReplicationKey: false,
  partitions: projectPartitions,
  skipPartitionOn: projectUnavailable,
  async *records(ctx) {
    const projectId = ctx.partition!.project_id;
    const ceiling = new Date(ctx.now().getTime() - parseDuration(ctx.config.safety_window)).toISOString();
    const since = ctx.bookmark ?? ctx.startDate;
    const listing = ctx.http.paginate<GitlabCommit>(`projects/${projectId}/repository/commits`, {
      paginator: nextPageHeaderPaginator({ size: ctx.config.per_page }),
      query: { since: since === undefined ? undefined : String(since) },
    });
    let newest: string | undefined;
    for await (const commit of listing) {
      const date = commit.committed_date;
      if (newest === undefined || compareReplicationValues(date, newest) > 0) newest = date;
      yield { ...commit, project_id: projectId };
    }
    if (newest !== undefined) ctx.setBookmark(compareReplicationValues(newest, ceiling) > 0 ? ceiling : newest);
  },
});
