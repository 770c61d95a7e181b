import type { JsonSchema } from '@observes/protocol';

/** Settings of tap-gitlab (file, then `TAP_GITLAB_<SETTING>` environment overrides). */
export interface GitlabConfig {
  /** REST v4 root, e.g. `https://gitlab.com/api/v4` (the default) or a self-managed instance's. */
  api_url: string;
  /** Personal, project or group access token with `read_api` (and `api` for cancel-stuck-jobs); sent as `PRIVATE-TOKEN`. */
  token: string;
  /** Projects by numeric id or full path (`group/sub/project`). */
  projects?: (string | number)[];
  /** Groups by id or full path; every project of the group and its subgroups is synced. */
  groups?: (string | number)[];
  /**
   * Also sync the projects of other namespaces shared with the `groups` (GitLab lists them unless
   * `with_shared=false`); default false: only the groups' own projects.
   */
  include_shared_projects: boolean;
  /** Where incremental streams start on a first run (ISO 8601); all history when absent. */
  start_date?: string;
  /** Page size, 1..100 (GitLab's maximum); default 100. */
  per_page: number;
  /** Client-side request rate limit; default 5 per second (GitLab.com allows 2,000 authenticated requests a minute). */
  requests_per_second: number;
  /**
   * How long one request keeps retrying 429s, 5xx and network errors before the run fails, in seconds; default 300,
   * several of gitlab.com's one-minute rate-limit windows (its 429s do not always say when to come back).
   */
  retry_budget_seconds: number;
  /**
   * Clock skew and commit lag allowed for (`10m`, `1h`): the commits bookmark never passes the run's start minus
   * this, and the jobs stream revisits pipelines updated within it of its last walk. Default `10m`.
   */
  safety_window: string;
  /** No longer used (manual jobs are fetched again when their pipeline changes); accepted so old configs still run. */
  manual_jobs_window?: string;
}

const idOrPath: JsonSchema = { type: ['integer', 'string'], minLength: 1 };
const duration: JsonSchema = { type: 'string', pattern: '^\\s*([0-9]+(\\.[0-9]+)?\\s*[smhdwSMHDW]\\s*)+$' };

/** JSON Schema of {@link GitlabConfig}: every problem is listed at start. */
export const gitlabConfigSchema: JsonSchema = {
  type: 'object',
  properties: {
    api_url: { type: 'string', format: 'uri', default: 'https://gitlab.com/api/v4', description: 'GitLab REST v4 root URL' },
    token: { type: 'string', minLength: 1, description: 'access token with read_api (api to cancel jobs), sent as PRIVATE-TOKEN' },
    projects: { type: 'array', items: idOrPath, description: 'project ids or full paths' },
    groups: { type: 'array', items: idOrPath, description: 'group ids or full paths (subgroups included)' },
    include_shared_projects: { type: 'boolean', default: false, description: "also sync projects shared with the groups, not only the groups' own" },
    start_date: { type: 'string', format: 'date-time', description: 'first updated_at/committed date of incremental streams on a first run' },
    per_page: { type: 'integer', minimum: 1, maximum: 100, default: 100, description: 'page size' },
    requests_per_second: { type: 'number', exclusiveMinimum: 0, default: 5, description: 'client-side rate limit' },
    retry_budget_seconds: { type: 'integer', minimum: 0, default: 300, description: 'how long one request keeps retrying 429s and 5xx' },
    safety_window: { ...duration, default: '10m', description: 'clock skew and commit lag allowed for (commits bookmark, jobs revisits)' },
    manual_jobs_window: { ...duration, description: 'deprecated, no effect: manual jobs are fetched again when their pipeline changes' },
  },
  required: ['token'],
  anyOf: [
    { required: ['projects'], properties: { projects: { minItems: 1 } } },
    { required: ['groups'], properties: { groups: { minItems: 1 } } },
  ],
  additionalProperties: false,
};
