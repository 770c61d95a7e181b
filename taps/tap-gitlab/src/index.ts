/**
 * tap-gitlab: GitLab REST v4 streams bookmarked per project, the `cancel-stuck-jobs` job, and a local fake of the
 * API for tests.
 * @packageDocumentation
 */
export { tap } from './tap.js';
export * from './config.js';
export * from './cancel-stuck-jobs.js';
export * from './parse-duration.js';
export * from './updated-after-paginator.js';
export { UNFINISHED_JOB_STATUSES } from './streams/jobs.js';
export * from './fake-gitlab-api.js';
export * from './fake-gitlab-data.js';
