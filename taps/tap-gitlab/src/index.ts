/**
 * tap-gitlab: GitLab REST v4 streams bookmarked per project and the `cancel-stuck-jobs` job. The local fake of the
 * API for tests is at `@observes/tap-gitlab/fake-gitlab-api` and `@observes/tap-gitlab/fake-gitlab-data`
 * (kept out of this entry point: it needs the dev-only testkit).
 * @packageDocumentation
 */
export { tap } from './tap.js';
export * from './config.js';
export * from './cancel-stuck-jobs.js';
export * from './parse-duration.js';
export * from './updated-after-paginator.js';
export * from './job-statuses.js';
