import type { JsonRecord } from '@observes/protocol';
import {
  keysetPaginated,
  pagePaginated,
  requireAuth,
  startFakeApi,
  type FakeApi,
  type FakeBehaviour,
  type FakeRequest,
  type FakeResponse,
} from '@observes/testkit';

/** The per-project collections the fake serves. */
export type GitlabCollection = 'pipelines' | 'jobs' | 'bridges' | 'merge_requests' | 'issues' | 'members' | 'inherited_members' | 'commits';

/** Project features that can be turned off, and what GitLab answers on their endpoints then. */
export type GitlabFeature = 'builds' | 'merge_requests' | 'issues' | 'repository';

/** Options of {@link FakeGitlabApi.start}. */
export interface FakeGitlabOptions {
  /** Token accepted in `PRIVATE-TOKEN`; anything else gets 401. Default `glpat-fake-token`. */
  token?: string;
  /**
   * Above this many items a list omits `X-Total`, `X-Total-Pages` and the `rel="last"` link, as GitLab does
   * above 10,000; set it low to exercise that path on small data.
   */
  totalsLimit?: number;
  /**
   * Largest offset (`page × per_page`) served on lists that have keyset pagination (jobs); beyond it 405, as on
   * instances enforcing the offset limit. Default 50,000.
   */
  offsetLimit?: number;
  /** Serve `pagination=keyset` on `/projects/:id/jobs` (GitLab 15.9 and later); default true. */
  keysetJobs?: boolean;
  /** Running jobs go to `canceling` when canceled (graceful cancel), and only `force` ends them. Default false. */
  gracefulCancel?: boolean;
  /** When set, more than `requests` requests within `windowSeconds` get 429 with `RateLimit-*` and `Retry-After`. */
  rateLimit?: { requests: number; windowSeconds: number };
  /** Extra behaviours run before auth (injected 429s and 5xx from `@observes/testkit`). */
  behaviours?: FakeBehaviour[];
}

/**
 * Job statuses GitLab can still cancel (`Ci::HasStatus::CANCELABLE_STATUSES`); `canceling` only with `force`.
 * https://docs.gitlab.com/ee/api/jobs.html#cancel-a-job
 */
const CANCELABLE_JOB_STATUSES: readonly string[] = ['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'scheduled', 'waiting_for_callback'];

interface FakeGroup {
  id: number;
  full_path: string;
  projectIds: number[];
  /** Projects of other namespaces shared with the group. */
  sharedProjectIds: number[];
}

/** Jobs of a project made on demand, so a test can serve 60,000 of them without holding them. */
export interface GeneratedJobs {
  /** Ids `firstId` .. `firstId + count - 1`. */
  firstId: number;
  count: number;
  /** The job with that id (called per page served). */
  job: (id: number) => JsonRecord;
}

/**
 * A local fake of the GitLab REST v4 API serving mutable in-memory data the way gitlab.com does. Each behaviour
 * cites the page it follows:
 * - offset pages (`page`/`per_page`, `X-Next-Page`, `Link`; totals omitted above 10,000):
 *   https://docs.gitlab.com/ee/api/rest/#offset-based-pagination
 * - keyset pages on project jobs (`pagination=keyset`, `order_by=id`, `sort=desc` only, opaque `cursor` in `Link`),
 *   and 405 past the offset limit on lists that have keyset pagination:
 *   https://docs.gitlab.com/ee/api/rest/#keyset-based-pagination,
 *   https://docs.gitlab.com/ee/administration/instance_limits.html#max-offset-allowed-by-the-rest-api-for-offset-based-pagination
 * - 403 on pipelines and jobs of a project whose CI/CD is disabled, 403/404 on other features turned off
 *   (reported in apache/devlake#2065, heikkipora/gitlab-radiator#64, faros-ai/faros-community-edition#277)
 * - `updated_after` (strictly after for pipelines, inclusive for issues and merge requests), `updated_before`,
 *   `order_by`/`sort` (ties in id order), `since`, `scope[]`
 * - child pipelines listed only with `source=parent_pipeline` (GitLab 17.0, gitlab-org/gitlab!149839):
 *   https://docs.gitlab.com/ee/api/pipelines.html#list-project-pipelines
 * - pipeline jobs (builds only) and pipeline bridges (trigger jobs, with `downstream_pipeline`):
 *   https://docs.gitlab.com/ee/api/jobs.html#list-pipeline-jobs, https://docs.gitlab.com/ee/api/jobs.html (List pipeline trigger jobs, formerly bridges)
 * - a job's `pipeline` as it is now (status included), as the jobs API renders it
 * - `/members` direct only; `/members/all` with inherited and invited members, once per user at their highest
 *   access level: https://docs.gitlab.com/ee/api/members.html
 * - group projects with projects shared into the group unless `with_shared=false`:
 *   https://docs.gitlab.com/ee/api/groups.html#list-a-groups-projects
 * - job cancellation, `force` for jobs stuck in `canceling`: https://docs.gitlab.com/ee/api/jobs.html#cancel-a-job
 * - `PRIVATE-TOKEN` auth; a sliding-window throttle with `RateLimit-*` (reset in epoch seconds) and `Retry-After`:
 *   https://docs.gitlab.com/ee/user/gitlab_com/index.html#gitlabcom-specific-rate-limits
 */
export class FakeGitlabApi {
  /** `http://127.0.0.1:<port>/api/v4`, the tap's `api_url`. */
  readonly apiUrl: string;
  /** The token the fake accepts. */
  readonly token: string;
  /** Projects by id, as `GET /projects/:id` returns them. */
  readonly projects = new Map<number, JsonRecord>();
  private readonly groups = new Map<number, FakeGroup>();
  private readonly collections = new Map<string, JsonRecord[]>();
  private readonly disabled = new Map<number, Set<GitlabFeature>>();
  private readonly generated = new Map<number, GeneratedJobs>();

  private constructor(
    /** The server: its `requests` log says what the tap asked for. */
    readonly server: FakeApi,
    token: string,
  ) {
    this.apiUrl = `${server.url}/api/v4`;
    this.token = token;
  }

  /** Starts the fake on an ephemeral loopback port. */
  static async start(options: FakeGitlabOptions = {}): Promise<FakeGitlabApi> {
    const token = options.token ?? 'glpat-fake-token';
    const totalsLimit = options.totalsLimit ?? 10_000;
    const offsetLimit = options.offsetLimit ?? 50_000;
    let api: FakeGitlabApi | undefined;
    const paged =
      (items: (request: FakeRequest) => JsonRecord[], counted = true) =>
      (request: FakeRequest) => {
        const all = items(request);
        return pagePaginated(all, { omitTotals: !counted || all.length > totalsLimit })(request);
      };
    /** A per-project route: 404 for an unknown project, 403/404 when the feature it needs is off. */
    const project =
      (feature: GitlabFeature | undefined, handler: (projectId: number, request: FakeRequest) => FakeResponse | Promise<FakeResponse>) =>
      (request: FakeRequest) => {
        const found = api!.findProject(request.params.id);
        if (!found) return notFound('Project');
        if (feature && api!.disabled.get(found.id as number)?.has(feature)) {
          return feature === 'repository' ? notFound('Repository') : { status: 403, body: { message: '403 Forbidden' } };
        }
        return handler(found.id as number, request);
      };
    const jobsKeyset = keysetPaginated(
      (request, below, limit) => api!.jobsBelow(api!.findProject(request.params.id)!.id as number, below, limit, scopesOf(request)),
      {
        key: (job: JsonRecord) => job.id as number,
      },
    );
    const server = await startFakeApi({
      behaviours: [
        ...(options.behaviours ?? []),
        ...(options.rateLimit ? [windowRateLimit(options.rateLimit)] : []),
        requireAuth({ header: 'private-token', value: token }),
      ],
      routes: [
        {
          path: '/api/v4/groups/:id/projects',
          handler: (request) => {
            const group = [...api!.groups.values()].find((g) => String(g.id) === request.params.id || g.full_path === request.params.id);
            if (!group) return notFound('Group');
            const withShared = request.query.with_shared !== 'false';
            const ids = [...group.projectIds, ...(withShared ? group.sharedProjectIds : [])];
            return paged(() => ids.map((id) => api!.projects.get(id)!).sort(byId))(request);
          },
        },
        { path: '/api/v4/projects/:id', handler: project(undefined, (id) => ({ body: api!.projects.get(id) })) },
        { path: '/api/v4/projects/:id/pipelines', handler: project('builds', (id, r) => paged(() => api!.pipelines(id, r))(r)) },
        {
          path: '/api/v4/projects/:id/pipelines/:pipeline/jobs',
          handler: project('builds', (id, r) => {
            const pipeline = api!.findPipeline(id, r.params.pipeline);
            if (!pipeline) return notFound('Pipeline');
            return paged(() => api!.jobsBelow(id, undefined, Infinity, scopesOf(r)).filter((job) => (job.pipeline as JsonRecord).id === pipeline.id), false)(r);
          }),
        },
        {
          path: '/api/v4/projects/:id/pipelines/:pipeline/bridges',
          handler: project('builds', (id, r) => {
            const pipeline = api!.findPipeline(id, r.params.pipeline);
            if (!pipeline) return notFound('Pipeline');
            return paged(
              () =>
                api!
                  .items('bridges', id)
                  .filter((b) => (b.pipeline as JsonRecord).id === pipeline.id)
                  .map((b) => api!.withLivePipeline(id, b))
                  .sort(byIdDesc),
              false,
            )(r);
          }),
        },
        {
          path: '/api/v4/projects/:id/merge_requests',
          handler: project('merge_requests', (id, r) => paged(() => api!.updatedItems('merge_requests', id, r, true, 'created_at'))(r)),
        },
        { path: '/api/v4/projects/:id/issues', handler: project('issues', (id, r) => paged(() => api!.updatedItems('issues', id, r, true, 'created_at'))(r)) },
        { path: '/api/v4/projects/:id/members', handler: project(undefined, (id, r) => paged(() => [...api!.items('members', id)].sort(byId))(r)) },
        { path: '/api/v4/projects/:id/members/all', handler: project(undefined, (id, r) => paged(() => api!.allMembers(id))(r)) },
        {
          path: '/api/v4/projects/:id/repository/commits',
          handler: project('repository', (id, r) =>
            paged(() => {
              const since = r.query.since ? Date.parse(r.query.since) : -Infinity;
              return api!
                .items('commits', id)
                .filter((c) => Date.parse(c.committed_date as string) >= since)
                .sort((a, b) => Date.parse(b.committed_date as string) - Date.parse(a.committed_date as string));
            }, false)(r),
          ),
        },
        {
          path: '/api/v4/projects/:id/jobs',
          handler: project('builds', (id, r) => {
            if (r.query.pagination === 'keyset') {
              // Ci::Build supports keyset only by id, descending (gitlab-org/gitlab#417667 shows sort=asc refused).
              if (options.keysetJobs === false || (r.query.order_by ?? 'id') !== 'id' || (r.query.sort ?? 'desc') !== 'desc') {
                return { status: 405, body: { error: 'Keyset pagination is not yet available for this type of request' } };
              }
              return jobsKeyset(r);
            }
            const perPage = Math.min(Number(r.query.per_page ?? 20), 100);
            const page = Math.max(1, Number(r.query.page ?? 1));
            if (page * perPage > offsetLimit) {
              return {
                status: 405,
                body: {
                  error: `Offset pagination has a maximum allowed offset of ${offsetLimit} for requests that return objects of type Ci::Build. Remaining records can be retrieved using keyset pagination.`,
                },
              };
            }
            return paged(() => api!.jobsBelow(id, undefined, page * perPage + 1, scopesOf(r)), false)(r);
          }),
        },
        {
          path: '/api/v4/projects/:id/jobs/:job',
          handler: project('builds', (id, r) => {
            const job = api!.findJob(id, r.params.job);
            return job ? { body: api!.withLivePipeline(id, job) } : notFound('Job');
          }),
        },
        {
          method: 'POST',
          path: '/api/v4/projects/:id/jobs/:job/cancel',
          handler: project('builds', (id, r) => {
            const job = api!.findJob(id, r.params.job);
            if (!job) return notFound('Job');
            const force = r.query.force === 'true' || /"force"\s*:\s*true/.test(r.body);
            if (job.status === 'canceling' && force) api!.finish(job, 'canceled');
            else if (job.status === 'running' && options.gracefulCancel) job.status = 'canceling';
            else if (CANCELABLE_JOB_STATUSES.includes(job.status as string)) api!.finish(job, 'canceled');
            api!.jobChanged(id, job, new Date().toISOString());
            return { status: 201, body: api!.withLivePipeline(id, job) };
          }),
        },
      ],
    });
    api = new FakeGitlabApi(server, token);
    return api;
  }

  /** Adds a project, optionally inside a group (created on first use), or `shared` into it from elsewhere. */
  addProject(project: JsonRecord, group?: { id: number; full_path: string }, options: { shared?: boolean; disabled?: GitlabFeature[] } = {}): void {
    this.projects.set(project.id as number, project);
    if (options.disabled) this.disabled.set(project.id as number, new Set(options.disabled));
    if (group) {
      const known = this.groups.get(group.id) ?? { ...group, projectIds: [], sharedProjectIds: [] };
      (options.shared ? known.sharedProjectIds : known.projectIds).push(project.id as number);
      this.groups.set(group.id, known);
    }
  }

  /** Turns a project feature off (its endpoints answer 403, or 404 for the repository) or on again. */
  setFeature(projectId: number, feature: GitlabFeature, enabled: boolean): void {
    const features = this.disabled.get(projectId) ?? new Set();
    if (enabled) features.delete(feature);
    else features.add(feature);
    this.disabled.set(projectId, features);
  }

  /** Serves `count` more jobs of a project made on demand (see {@link GeneratedJobs}); stored jobs override them. */
  generateJobs(projectId: number, jobs: GeneratedJobs): void {
    this.generated.set(projectId, jobs);
  }

  /**
   * Inserts or replaces a job and updates its pipeline the way GitLab does: the pipeline's status follows its jobs'
   * (a simplified composite status: any job active makes it `running`; a `manual` job with `created` jobs behind
   * it, `manual`; then `created`, `failed`, `canceled`, `success`), and when that status changes the pipeline's
   * `updated_at` becomes `at`. The tap relies on it: a job changing state changes its pipeline.
   */
  setJob(projectId: number, job: JsonRecord, at: string = new Date().toISOString()): void {
    this.put('jobs', projectId, job);
    this.jobChanged(projectId, job, at);
  }

  /** Inserts or replaces (by `id`) an item of a project's collection. */
  put(collection: GitlabCollection, projectId: number, item: JsonRecord): void {
    const items = this.items(collection, projectId);
    const index = items.findIndex((existing) => existing.id === item.id);
    if (index >= 0) items[index] = item;
    else items.push(item);
  }

  /** The live stored items of a project's collection (mutate them to simulate updates). */
  items(collection: GitlabCollection, projectId: number): JsonRecord[] {
    const key = `${collection}:${projectId}`;
    let items = this.collections.get(key);
    if (!items) this.collections.set(key, (items = []));
    return items;
  }

  /** Stops the server. */
  close(): Promise<void> {
    return this.server.close();
  }

  /** Ends a job now. */
  private finish(job: JsonRecord, status: string): void {
    job.status = status;
    job.finished_at = new Date().toISOString();
  }

  /** Recomputes the status of the job's pipeline; a change of it updates the pipeline at `at`. */
  private jobChanged(projectId: number, job: JsonRecord, at: string): void {
    const pipeline = this.items('pipelines', projectId).find((p) => p.id === (job.pipeline as JsonRecord | undefined)?.id);
    if (!pipeline) return;
    const statuses = new Set(
      this.items('jobs', projectId)
        .filter((j) => (j.pipeline as JsonRecord).id === pipeline.id)
        .map((j) => j.status as string),
    );
    const active = ['running', 'pending', 'preparing', 'waiting_for_resource', 'canceling', 'waiting_for_callback'].some((s) => statuses.has(s));
    const status = active
      ? 'running'
      : statuses.has('manual') && statuses.has('created')
        ? 'manual'
        : (['created', 'failed', 'canceled'].find((s) => statuses.has(s)) ?? 'success');
    if (status === pipeline.status) return;
    pipeline.status = status;
    pipeline.updated_at = at;
  }

  private findProject(idOrPath: string): JsonRecord | undefined {
    return [...this.projects.values()].find((p) => String(p.id) === idOrPath || p.path_with_namespace === idOrPath);
  }

  private findPipeline(projectId: number, pipelineId: string): JsonRecord | undefined {
    return this.items('pipelines', projectId).find((p) => String(p.id) === pipelineId);
  }

  private findJob(projectId: number, jobId: string): JsonRecord | undefined {
    const stored = this.items('jobs', projectId).find((job) => String(job.id) === jobId);
    if (stored) return stored;
    const generated = this.generated.get(projectId);
    const id = Number(jobId);
    if (!generated || id < generated.firstId || id >= generated.firstId + generated.count) return undefined;
    // A generated job that changes becomes a stored one.
    const job = generated.job(id);
    this.items('jobs', projectId).push(job);
    return job;
  }

  /** The job as the API renders it: its `pipeline` as that pipeline is now. */
  private withLivePipeline(projectId: number, job: JsonRecord): JsonRecord {
    const live = this.items('pipelines', projectId).find((p) => p.id === (job.pipeline as JsonRecord | undefined)?.id);
    if (!live) return job;
    const { id, iid, project_id, sha, ref, status, source, created_at, updated_at, web_url } = live;
    return { ...job, pipeline: { id, iid, project_id, sha, ref, status, source, created_at, updated_at, web_url } };
  }

  /**
   * Up to `limit` jobs (builds) of a project with an id below `below`, newest first, stored and generated, in the
   * `scopes` statuses when given.
   */
  private jobsBelow(projectId: number, below: number | undefined, limit: number, scopes: string[]): JsonRecord[] {
    const top = below === undefined ? Infinity : below;
    const wanted = (job: JsonRecord) => scopes.length === 0 || scopes.includes(job.status as string);
    const stored = this.items('jobs', projectId)
      .filter((job) => (job.id as number) < top)
      .sort(byIdDesc);
    const storedIds = new Set(this.items('jobs', projectId).map((job) => job.id as number));
    const generated = this.generated.get(projectId);
    const out: JsonRecord[] = [];
    let s = 0;
    let g = generated ? Math.min(top - 1, generated.firstId + generated.count - 1) : -Infinity;
    while (out.length < limit) {
      while (generated && g >= generated.firstId && storedIds.has(g)) g--;
      const nextGenerated = generated && g >= generated.firstId ? g : undefined;
      const nextStored = stored[s];
      let job: JsonRecord;
      if (nextStored && (nextGenerated === undefined || (nextStored.id as number) > nextGenerated)) job = stored[s++];
      else if (nextGenerated !== undefined) job = generated!.job(g--);
      else break;
      if (wanted(job)) out.push(this.withLivePipeline(projectId, job));
    }
    return out;
  }

  /** Pipelines by `updated_*`, `order_by`/`sort`; child pipelines only for `source=parent_pipeline`. */
  private pipelines(projectId: number, request: FakeRequest): JsonRecord[] {
    const source = request.query.source;
    return this.updatedItems('pipelines', projectId, request, false, 'id').filter((p) => (source ? p.source === source : p.source !== 'parent_pipeline'));
  }

  /** Direct, inherited and invited members, each user once at the highest access level. */
  private allMembers(projectId: number): JsonRecord[] {
    const byUser = new Map<number, JsonRecord>();
    for (const member of [...this.items('members', projectId), ...this.items('inherited_members', projectId)]) {
      const known = byUser.get(member.id as number);
      if (!known || (member.access_level as number) > (known.access_level as number)) byUser.set(member.id as number, member);
    }
    return [...byUser.values()].sort(byId);
  }

  /** Applies `updated_after`/`updated_before` and `order_by`/`sort` (ties broken by id, as the database does). */
  private updatedItems(collection: GitlabCollection, projectId: number, request: FakeRequest, inclusive: boolean, defaultOrder: string): JsonRecord[] {
    const { updated_after: after, updated_before: before } = request.query;
    const time = (item: JsonRecord): number => Date.parse(item.updated_at as string);
    const items = this.items(collection, projectId).filter(
      (item) => (!after || (inclusive ? time(item) >= Date.parse(after) : time(item) > Date.parse(after))) && (!before || time(item) < Date.parse(before)),
    );
    const orderBy = request.query.order_by ?? defaultOrder;
    const key = (item: JsonRecord): number => (orderBy === 'id' ? (item.id as number) : Date.parse(item[orderBy] as string));
    items.sort((a, b) => key(a) - key(b) || (a.id as number) - (b.id as number));
    if ((request.query.sort ?? 'desc') === 'desc') items.reverse();
    return items;
  }
}

/** The `scope[]` (or `scope`) statuses of a jobs request. */
function scopesOf(request: FakeRequest): string[] {
  return [...request.url.searchParams.getAll('scope[]'), ...request.url.searchParams.getAll('scope')];
}

/** GitLab.com-style throttle: a sliding window, then 429 with `RateLimit-*` (reset in epoch seconds) and `Retry-After`. */
function windowRateLimit(limit: { requests: number; windowSeconds: number }): FakeBehaviour {
  const recent: number[] = [];
  return async (_request, next) => {
    const now = Date.now();
    const windowMs = limit.windowSeconds * 1000;
    while (recent.length > 0 && recent[0] <= now - windowMs) recent.shift();
    if (recent.length < limit.requests) {
      recent.push(now);
      return next();
    }
    const resetMs = recent[0] + windowMs;
    return {
      status: 429,
      body: { message: 'Retry later' },
      headers: {
        'ratelimit-limit': String(limit.requests),
        'ratelimit-observed': String(recent.length),
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(Math.ceil(resetMs / 1000)),
        'ratelimit-resettime': new Date(resetMs).toUTCString(),
        'retry-after': String(Math.max(Math.ceil((resetMs - now) / 1000), 1)),
      },
    };
  };
}

function notFound(what: string): FakeResponse {
  return { status: 404, body: { message: `404 ${what} Not Found` } };
}

function byId(a: JsonRecord, b: JsonRecord): number {
  return (a.id as number) - (b.id as number);
}

function byIdDesc(a: JsonRecord, b: JsonRecord): number {
  return (b.id as number) - (a.id as number);
}
