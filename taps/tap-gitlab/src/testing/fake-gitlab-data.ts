import type { JsonRecord } from '@observes/protocol';
import type { FakeGitlabApi } from './fake-gitlab-api.js';

/** Shapes of GitLab REST v4 list items, as the API reference shows them, for seeding {@link FakeGitlabApi}. */

const user = (id: number): JsonRecord => ({
  id,
  username: `user${id}`,
  name: `User ${id}`,
  state: 'active',
  avatar_url: null,
  web_url: `https://gitlab.example.com/user${id}`,
});

/** A project in namespace `group`. */
export function gitlabProject(id: number, group = 'acme'): JsonRecord {
  return {
    id,
    name: `Project ${id}`,
    name_with_namespace: `${group} / Project ${id}`,
    path: `project-${id}`,
    path_with_namespace: `${group}/project-${id}`,
    description: `Project number ${id}`,
    default_branch: 'main',
    visibility: 'private',
    archived: false,
    empty_repo: false,
    web_url: `https://gitlab.example.com/${group}/project-${id}`,
    ssh_url_to_repo: `git@gitlab.example.com:${group}/project-${id}.git`,
    http_url_to_repo: `https://gitlab.example.com/${group}/project-${id}.git`,
    tag_list: ['etl'],
    topics: ['etl'],
    namespace: { id: 1, name: group, path: group, kind: 'group', full_path: group, parent_id: null, web_url: null },
    creator_id: 1,
    star_count: 0,
    forks_count: 0,
    open_issues_count: 0,
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-01-01T00:00:00.000Z',
    last_activity_at: '2024-06-01T00:00:00.000Z',
  };
}

/** A pipeline last updated at `updatedAt` (`source: 'parent_pipeline'` for a child pipeline). */
export function gitlabPipeline(projectId: number, id: number, updatedAt: string, status = 'success', source = 'push'): JsonRecord {
  return {
    id,
    iid: id,
    project_id: projectId,
    sha: `${id}`.padStart(40, 'a'),
    ref: 'main',
    status,
    source,
    name: null,
    web_url: `https://gitlab.example.com/acme/project-${projectId}/-/pipelines/${id}`,
    created_at: updatedAt,
    updated_at: updatedAt,
  };
}

/** Job statuses after which a job does not change by itself. */
const FINISHED = ['success', 'failed', 'canceled', 'skipped'];

/**
 * A job (no `project_id`: the jobs API does not return it) created at `createdAt`, in pipeline `pipelineId`
 * (default: one pipeline per three jobs).
 */
export function gitlabJob(projectId: number, id: number, createdAt: string, status = 'success', pipelineId = Math.ceil(id / 3)): JsonRecord {
  const finished = FINISHED.includes(status);
  return {
    id,
    name: `test-${id}`,
    stage: 'test',
    status,
    ref: 'main',
    tag: false,
    allow_failure: false,
    coverage: null,
    duration: finished ? 12.5 : null,
    queued_duration: 0.4,
    failure_reason: status === 'failed' ? 'script_failure' : null,
    web_url: `https://gitlab.example.com/acme/project-${projectId}/-/jobs/${id}`,
    created_at: createdAt,
    started_at: ['created', 'pending', 'manual', 'scheduled', 'waiting_for_resource', 'preparing'].includes(status) ? null : createdAt,
    finished_at: finished ? createdAt : null,
    erased_at: null,
    archived: false,
    source: 'push',
    tag_list: ['docker', 'linux'],
    user: user(1),
    commit: {
      id: `${id}`.padStart(40, 'c'),
      short_id: `${id}`.padStart(8, 'c'),
      title: 'Fix',
      message: 'Fix\n',
      author_name: 'User 1',
      author_email: 'user1@example.com',
      created_at: createdAt,
    },
    pipeline: { id: pipelineId, project_id: projectId, ref: 'main', sha: `${id}`.padStart(40, 'a'), status, source: 'push' },
    runner: finished ? { id: 7, description: 'shared-runner', active: true, is_shared: true, runner_type: 'instance_type', name: 'gitlab-runner' } : null,
  };
}

/** A trigger job (bridge) of pipeline `pipelineId` that started pipeline `downstreamId` (a child pipeline by default). */
export function gitlabBridge(projectId: number, id: number, pipelineId: number, downstreamId: number, createdAt: string, status = 'success'): JsonRecord {
  const { runner: _runner, tag_list: _tags, archived: _archived, ...job } = gitlabJob(projectId, id, createdAt, status, pipelineId);
  return {
    ...job,
    name: `trigger-${id}`,
    stage: 'deploy',
    downstream_pipeline: {
      id: downstreamId,
      sha: `${downstreamId}`.padStart(40, 'a'),
      ref: 'main',
      status,
      created_at: createdAt,
      updated_at: createdAt,
      web_url: `https://gitlab.example.com/acme/project-${projectId}/-/pipelines/${downstreamId}`,
    },
  };
}

/** A merge request last updated at `updatedAt`. */
export function gitlabMergeRequest(projectId: number, id: number, updatedAt: string): JsonRecord {
  return {
    id,
    iid: id,
    project_id: projectId,
    title: `Merge request ${id}`,
    description: 'Implements the thing',
    state: 'opened',
    draft: false,
    source_branch: `feature-${id}`,
    target_branch: 'main',
    source_project_id: projectId,
    target_project_id: projectId,
    sha: `${id}`.padStart(40, 'b'),
    merge_commit_sha: null,
    squash_commit_sha: null,
    merge_status: 'can_be_merged',
    detailed_merge_status: 'mergeable',
    user_notes_count: 1,
    upvotes: 0,
    downvotes: 0,
    labels: ['backend', 'etl'],
    author: user(2),
    assignees: [user(3)],
    reviewers: [user(4), user(5)],
    merged_by: null,
    milestone: null,
    web_url: `https://gitlab.example.com/acme/project-${projectId}/-/merge_requests/${id}`,
    created_at: updatedAt,
    updated_at: updatedAt,
    merged_at: null,
    closed_at: null,
  };
}

/** An issue last updated at `updatedAt`. */
export function gitlabIssue(projectId: number, id: number, updatedAt: string): JsonRecord {
  return {
    id,
    iid: id,
    project_id: projectId,
    title: `Issue ${id}`,
    description: 'Something is broken',
    state: 'opened',
    issue_type: 'issue',
    confidential: false,
    labels: ['bug'],
    author: user(2),
    assignees: [],
    closed_by: null,
    milestone: { id: 1, iid: 1, project_id: projectId, title: 'v1', state: 'active', due_date: '2024-12-31', web_url: null },
    user_notes_count: 0,
    upvotes: 1,
    downvotes: 0,
    weight: null,
    due_date: null,
    web_url: `https://gitlab.example.com/acme/project-${projectId}/-/issues/${id}`,
    created_at: updatedAt,
    updated_at: updatedAt,
    closed_at: null,
  };
}

/** A project member (direct, or inherited from a group, as the members APIs return both). */
export function gitlabMember(id: number, accessLevel = 30): JsonRecord {
  return { ...user(id), access_level: accessLevel, created_at: '2024-01-02T00:00:00.000Z', expires_at: null, created_by: user(1) };
}

/** A commit committed at `committedDate` (the API does not return `project_id`). */
export function gitlabCommit(index: number, committedDate: string): JsonRecord {
  const sha = index.toString(16).padStart(40, '0');
  return {
    id: sha,
    short_id: sha.slice(0, 8),
    title: `Commit ${index}`,
    message: `Commit ${index}\n\nDetails.`,
    author_name: 'User 2',
    author_email: 'user2@example.com',
    authored_date: committedDate,
    committer_name: 'User 2',
    committer_email: 'user2@example.com',
    committed_date: committedDate,
    created_at: committedDate,
    parent_ids: [(index - 1).toString(16).padStart(40, '0')],
    web_url: `https://gitlab.example.com/acme/project/-/commit/${sha}`,
  };
}

/** `base` plus `minutes` minutes, as GitLab's millisecond ISO timestamps. */
export function minutesAfter(base: string, minutes: number): string {
  return new Date(Date.parse(base) + minutes * 60_000).toISOString();
}

/** Sizes of the data {@link seedGitlab} creates per project. */
export interface GitlabSeedCounts {
  pipelines: number;
  jobs: number;
  merge_requests: number;
  issues: number;
  members: number;
  commits: number;
}

/**
 * Fills the fake with projects `projectIds` of group `acme` (id 10) and `counts` items each, timestamps a
 * minute apart from `base`; ids are unique across projects (project × 1000 + n) as in GitLab. Job n belongs to
 * pipeline n (to the last pipeline when there are more jobs than pipelines).
 */
export function seedGitlab(api: FakeGitlabApi, projectIds: number[], counts: GitlabSeedCounts, base = '2024-05-01T00:00:00.000Z'): void {
  for (const projectId of projectIds) {
    api.addProject(gitlabProject(projectId), { id: 10, full_path: 'acme' });
    const id = (n: number): number => projectId * 1000 + n;
    for (let n = 1; n <= counts.pipelines; n++) api.put('pipelines', projectId, gitlabPipeline(projectId, id(n), minutesAfter(base, n)));
    for (let n = 1; n <= counts.jobs; n++)
      api.put('jobs', projectId, gitlabJob(projectId, id(n), minutesAfter(base, n), 'success', id(Math.max(1, Math.min(n, counts.pipelines)))));
    for (let n = 1; n <= counts.merge_requests; n++) api.put('merge_requests', projectId, gitlabMergeRequest(projectId, id(n), minutesAfter(base, n)));
    for (let n = 1; n <= counts.issues; n++) api.put('issues', projectId, gitlabIssue(projectId, id(n), minutesAfter(base, n)));
    for (let n = 1; n <= counts.members; n++) api.put('members', projectId, gitlabMember(n));
    for (let n = 1; n <= counts.commits; n++) api.put('commits', projectId, gitlabCommit(id(n), minutesAfter(base, n)));
  }
}
