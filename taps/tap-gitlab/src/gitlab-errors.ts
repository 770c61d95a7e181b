import { HttpError } from '@observes/tap-sdk';

/**
 * Why a failure only means that a project (or one of its features) cannot be read, or `undefined` for any other
 * failure. GitLab answers 403 on `/pipelines` and `/jobs` of a project whose CI/CD is disabled (apache/devlake#2065,
 * faros-ai/faros-community-edition#277, mvisonneau/gitlab-ci-pipelines-exporter#925), 403 or 404 on features that
 * are off or that the token may not see, and 404 for a project deleted or moved. A 401 (bad token) is not one.
 */
export function projectUnavailable(error: unknown): string | undefined {
  if (!(error instanceof HttpError)) return undefined;
  if (error.status === 403) return 'GitLab answered 403 Forbidden: the feature (e.g. CI/CD) is disabled for the project, or the token may not read it';
  if (error.status === 404) return 'GitLab answered 404 Not Found: the project or the feature is gone, or hidden from the token';
  return undefined;
}
