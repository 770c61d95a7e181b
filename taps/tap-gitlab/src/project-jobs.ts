import type { Logger } from '@observes/protocol';
import { HttpError, linkHeaderPaginator, nextLink, type HttpClient, type Page, type Query } from '@observes/tap-sdk';
import type { GitlabConfig } from './config.js';
import type { GitlabJob } from './gitlab-records.js';

/** One page of a project's jobs and the URL of the next one (`undefined` on the last page). */
export interface JobsPage {
  jobs: GitlabJob[];
  next: string | undefined;
}

/**
 * A project's jobs (builds; trigger jobs are listed per pipeline), newest first, page by page.
 *
 * Keyset pages (`pagination=keyset&order_by=id&sort=desc`, the next page in the `Link` header) cost the same however
 * deep the walk goes, where offset pages hit the instance's offset limit (405 past 50,000 where enforced) or
 * statement timeouts long before: https://docs.gitlab.com/ee/api/jobs.html#list-project-jobs,
 * https://docs.gitlab.com/ee/api/rest/#keyset-based-pagination. Ci::Build has keyset pages by id descending only
 * (`sort=asc` is refused: gitlab-org/gitlab#417667). Instances without them (GitLab before 15.9) answer 405: the
 * walk then falls back to offset pages, with a warning. Both kinds name their next page in `Link`, so a walk
 * resumes from a saved `next` URL.
 * @param projectId - id or full path
 * @param options.resumeUrl - the `next` of a page of an earlier walk, to go on from there
 * @param options.scope - only jobs in these statuses (`scope[]`)
 */
export async function* projectJobPages(
  ctx: { http: HttpClient; config: GitlabConfig; logger: Logger },
  projectId: number | string,
  options: { resumeUrl?: string; scope?: readonly string[] } = {},
): AsyncGenerator<JobsPage> {
  const path = `projects/${encodeURIComponent(String(projectId))}/jobs`;
  const common: Query = { per_page: ctx.config.per_page, 'scope[]': options.scope };
  const walk = (url: string, query: Query) => ctx.http.pages<GitlabJob>(url, { paginator: linkHeaderPaginator(), query });
  const pageOf = (page: Page<GitlabJob>): JobsPage => {
    const next = nextLink(page.response.headers.link);
    return { jobs: page.items, next: next === undefined ? undefined : new URL(next, page.response.url).toString() };
  };
  if (options.resumeUrl) {
    for await (const page of walk(options.resumeUrl, {})) yield pageOf(page);
    return;
  }
  let first = true;
  try {
    for await (const page of walk(path, { ...common, pagination: 'keyset', order_by: 'id', sort: 'desc' })) {
      first = false;
      yield pageOf(page);
    }
  } catch (error) {
    if (!(first && error instanceof HttpError && error.status === 405)) throw error;
    ctx.logger.warn('this GitLab has no keyset pagination of jobs (before 15.9): walking offset pages, which it may not serve deep enough on large projects', {
      project_id: projectId,
    });
    for await (const page of walk(path, { ...common, page: 1 })) yield pageOf(page);
  }
}
