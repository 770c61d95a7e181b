import { setting, type SettingsOf } from '@observes/protocol';

const idOrPath = () => setting.types<string | number>(['integer', 'string'], { minLength: 1 });
const DURATION = '^\\s*([0-9]+(\\.[0-9]+)?\\s*[smhdwSMHDW]\\s*)+$';

/**
 * tap-gitlab's settings, declared once (file, then `TAP_GITLAB_<SETTING>` environment overrides): the type
 * {@link GitlabConfig}, validation, `--help`, `--about` and the README's table derive from it.
 */
export const gitlabConfigSchema = setting.object(
  {
    api_url: setting.string({
      format: 'uri',
      default: 'https://gitlab.com/api/v4',
      description: 'GitLab REST v4 root URL (gitlab.com or a self-managed instance)',
    }),
    token: setting.string({
      required: true,
      secret: true,
      minLength: 1,
      description: 'personal, project or group access token with read_api (api to cancel jobs), sent as PRIVATE-TOKEN',
    }),
    projects: setting.array(idOrPath(), { description: 'project ids or full paths (group/sub/project)', examples: [['group/project']] }),
    groups: setting.array(idOrPath(), { description: 'group ids or full paths; every project of the group and its subgroups is synced' }),
    include_shared_projects: setting.boolean({
      default: false,
      description: "also sync projects of other namespaces shared with the groups, not only the groups' own",
    }),
    start_date: setting.string({
      format: 'date-time',
      description: 'first updated_at/committed date of incremental streams on a first run (ISO 8601); all history when absent',
    }),
    per_page: setting.integer({ minimum: 1, maximum: 100, default: 100, description: "page size, 1..100 (GitLab's maximum)" }),
    requests_per_second: setting.number({
      exclusiveMinimum: 0,
      default: 5,
      description: 'client-side rate limit (GitLab.com allows 2,000 authenticated requests a minute)',
    }),
    retry_budget_seconds: setting.integer({
      minimum: 0,
      default: 300,
      description:
        "how long one request keeps retrying 429s, 5xx and network errors before the run fails (several of gitlab.com's one-minute rate-limit windows)",
    }),
    safety_window: setting.string({
      pattern: DURATION,
      default: '10m',
      description:
        'clock skew and commit lag allowed for (10m, 1h): the commits bookmark never passes the run start minus this, and jobs revisit pipelines updated within it',
    }),
    manual_jobs_window: setting.string({
      pattern: DURATION,
      description: 'deprecated, no effect: manual jobs are fetched again when their pipeline changes (accepted so old configs still run)',
    }),
  },
  {
    anyOf: [
      { required: ['projects'], properties: { projects: { minItems: 1 } } },
      { required: ['groups'], properties: { groups: { minItems: 1 } } },
    ],
    errorMessage: { anyOf: '${path}: give "projects" or "groups" (a non-empty list of ids or full paths)' },
  },
);

/** The validated settings of tap-gitlab. */
export type GitlabConfig = SettingsOf<typeof gitlabConfigSchema>;
