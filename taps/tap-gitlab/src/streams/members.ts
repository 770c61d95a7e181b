import { defineStream, loadSchema, nextPageHeaderPaginator } from '@observes/tap-sdk';
import type { GitlabConfig } from '../config.js';
import { projectUnavailable } from '../gitlab-errors.js';
import { projectPartitions, type ProjectPartition } from '../gitlab-projects.js';
import type { GitlabMember } from '../gitlab-records.js';

/**
 * `members`: everyone with access to each project, full table: `/members/all` (direct, inherited from the parent
 * groups and invited through shared groups, each user once with their effective, highest access level:
 * https://docs.gitlab.com/ee/api/members.html#list-all-members-of-a-group-or-project-including-inherited-and-invited-members).
 * The API does not say where that level comes from, so `/members` (direct members only) is read too:
 * `membership` is `direct` when the effective level is the project's own membership, `inherited` otherwise (a
 * parent group or a shared group), and `direct_access_level` is the project membership's level, if any.
 */
export const membersStream = defineStream<GitlabConfig, ProjectPartition>({
  name: 'members',
  schema: loadSchema('tap-gitlab', 'members'),
  keyProperties: ['project_id', 'id'],
  partitions: projectPartitions,
  skipPartitionOn: projectUnavailable,
  async *records(ctx) {
    const projectId = ctx.partition!.project_id;
    const list = (path: string) =>
      ctx.http.paginate<GitlabMember>(`projects/${projectId}/${path}`, { paginator: nextPageHeaderPaginator({ size: ctx.config.per_page }) });
    const direct = new Map<number, number | null | undefined>();
    for await (const member of list('members')) direct.set(member.id, member.access_level);
    for await (const member of list('members/all')) {
      const directLevel = direct.get(member.id);
      yield {
        ...member,
        project_id: projectId,
        membership: directLevel !== undefined && Number(directLevel) >= Number(member.access_level) ? 'direct' : 'inherited',
        direct_access_level: directLevel ?? null,
      };
    }
  },
});
