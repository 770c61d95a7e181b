import { defineTap } from '@observes/tap-sdk';
import { gitlabConfigSchema, type GitlabConfig } from './config.js';
import { cancelStuckJobsCommand } from './cancel-stuck-jobs.js';
import { projectsStream } from './streams/projects.js';
import { issuesStream, mergeRequestsStream, pipelinesStream } from './streams/updated-stream.js';
import { jobsStream } from './streams/jobs.js';
import { bridgesStream } from './streams/bridges.js';
import { membersStream } from './streams/members.js';
import { commitsStream } from './streams/commits.js';

/** tap-gitlab: GitLab REST v4, incremental per project, plus the `cancel-stuck-jobs` job. */
export const tap = defineTap<GitlabConfig>({
  name: 'gitlab',
  version: '0.1.0',
  description: 'GitLab REST v4 tap: projects, pipelines, jobs, trigger jobs, merge requests, issues, members and commits, bookmarked per project',
  configSchema: gitlabConfigSchema,
  http: (config) => ({
    baseUrl: config.api_url,
    headers: { 'PRIVATE-TOKEN': config.token },
    requestsPerSecond: config.requests_per_second,
    // gitlab.com sometimes answers 429 with neither Retry-After nor RateLimit-*: back off for a whole window and more.
    retryBudgetMs: config.retry_budget_seconds * 1000,
  }),
  streams: [projectsStream, pipelinesStream, jobsStream, bridgesStream, mergeRequestsStream, issuesStream, membersStream, commitsStream],
  commands: { 'cancel-stuck-jobs': cancelStuckJobsCommand },
});
