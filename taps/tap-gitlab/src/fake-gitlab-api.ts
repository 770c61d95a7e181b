import type { JsonRecord } from '@observes/protocol';
import { pagePaginated, requireAuth, startFakeApi, type FakeApi, type FakeBehaviour, type FakeRequest, type FakeResponse } from '@observes/testkit';

/** The per-project collections the fake serves. */
export type GitlabCollection = 'pipelines' | 'jobs' | 'merge_requests' | 'issues' | 'members' | 'commits';

/** Options of {@link FakeGitlabApi.start}. */
export interface FakeGitlabOptions {
  /** Token accepted in `PRIVATE-TOKEN`; anything else gets 401. Default `glpat-fake-token`. */
  token?: string;
  /**
   * Above this many items a list omits `X-Total`, `X-Total-Pages` and the `rel="last"` link, as GitLab does
   * above 10,000; set it low to exercise that path on small data.
   */
  totalsLimit?: number;
  /** When set, more than `requests` requests within `windowSeconds` get 429 with `RateLimit-*` and `Retry-After`. */
  rateLimit?: { requests: number; windowSeconds: number };
  /** Extra behaviours run before auth (injected 429s and 5xx from `@observes/testkit`). */
  behaviours?: FakeBehaviour[];
}

/** Job statuses GitLab can still cancel: the job has not finished. */
const CANCELABLE_JOB_STATUSES: readonly string[] = ['created', 'pending', 'preparing', 'running', 'scheduled', 'waiting_for_resource'];

interface FakeGroup {
  id: number;
  full_path: string;
  projectIds: number[];
}

/**
 * A local fake of the GitLab REST v4 API serving mutable in-memory data the way gitlab.com does:
 * `page`/`per_page` pagination with `X-Next-Page` and `Link`; totals omitted on big collections and always on jobs
 * and commits; `updated_after` (strictly after for pipelines, inclusive for issues and merge requests),
 * `order_by`/`sort` (ties in id order), `since`, `scope[]`; `PRIVATE-TOKEN` auth; 429 with `RateLimit-Reset`
 * and `Retry-After`; job cancellation.
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
    let api: FakeGitlabApi | undefined;
    const paged = (items: (request: FakeRequest) => JsonRecord[], counted = true) => (request: FakeRequest) => {
      const all = items(request);
      return pagePaginated(all, { omitTotals: !counted || all.length > totalsLimit })(request);
    };
    const project = (handler: (projectId: number, request: FakeRequest) => FakeResponse | Promise<FakeResponse>) => (request: FakeRequest) => {
      const found = api!.findProject(request.params.id);
      return found ? handler(found.id as number, request) : notFound('Project');
    };
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
            return paged(() => group.projectIds.map((id) => api!.projects.get(id)!).sort(byId))(request);
          },
        },
        { path: '/api/v4/projects/:id', handler: project((id) => ({ body: api!.projects.get(id) })) },
        { path: '/api/v4/projects/:id/pipelines', handler: project((id, r) => paged(() => api!.updatedItems('pipelines', id, r, false, 'id'))(r)) },
        { path: '/api/v4/projects/:id/merge_requests', handler: project((id, r) => paged(() => api!.updatedItems('merge_requests', id, r, true, 'created_at'))(r)) },
        { path: '/api/v4/projects/:id/issues', handler: project((id, r) => paged(() => api!.updatedItems('issues', id, r, true, 'created_at'))(r)) },
        { path: '/api/v4/projects/:id/members', handler: project((id, r) => paged(() => [...api!.items('members', id)].sort(byId))(r)) },
        {
          path: '/api/v4/projects/:id/repository/commits',
          handler: project((id, r) =>
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
          handler: project((id, r) =>
            paged(() => {
              const scopes = [...r.url.searchParams.getAll('scope[]'), ...r.url.searchParams.getAll('scope')];
              return api!
                .items('jobs', id)
                .filter((job) => scopes.length === 0 || scopes.includes(job.status as string))
                .sort((a, b) => (b.id as number) - (a.id as number));
            }, false)(r),
          ),
        },
        { path: '/api/v4/projects/:id/jobs/:job', handler: project((id, r) => jobAnswer(api!.findJob(id, r.params.job))) },
        {
          method: 'POST',
          path: '/api/v4/projects/:id/jobs/:job/cancel',
          handler: project((id, r) => {
            const job = api!.findJob(id, r.params.job);
            if (job && CANCELABLE_JOB_STATUSES.includes(job.status as string)) {
              job.status = 'canceled';
              job.finished_at = new Date().toISOString();
            }
            return job ? { status: 201, body: job } : notFound('Job');
          }),
        },
      ],
    });
    api = new FakeGitlabApi(server, token);
    return api;
  }

  /** Adds a project, optionally inside a group (created on first use). */
  addProject(project: JsonRecord, group?: { id: number; full_path: string }): void {
    this.projects.set(project.id as number, project);
    if (group) {
      const known = this.groups.get(group.id) ?? { ...group, projectIds: [] };
      known.projectIds.push(project.id as number);
      this.groups.set(group.id, known);
    }
  }

  /** Inserts or replaces (by `id`) an item of a project's collection. */
  put(collection: GitlabCollection, projectId: number, item: JsonRecord): void {
    const items = this.items(collection, projectId);
    const index = items.findIndex((existing) => existing.id === item.id);
    if (index >= 0) items[index] = item;
    else items.push(item);
  }

  /** The live items of a project's collection (mutate them to simulate updates). */
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

  private findProject(idOrPath: string): JsonRecord | undefined {
    return [...this.projects.values()].find((p) => String(p.id) === idOrPath || p.path_with_namespace === idOrPath);
  }

  private findJob(projectId: number, jobId: string): JsonRecord | undefined {
    return this.items('jobs', projectId).find((job) => String(job.id) === jobId);
  }

  /** Applies `updated_after`/`updated_before` and `order_by`/`sort` (ties broken by id, as the database does). */
  private updatedItems(collection: GitlabCollection, projectId: number, request: FakeRequest, inclusive: boolean, defaultOrder: string): JsonRecord[] {
    const { updated_after: after, updated_before: before } = request.query;
    const time = (item: JsonRecord): number => Date.parse(item.updated_at as string);
    const items = this.items(collection, projectId).filter(
      (item) =>
        (!after || (inclusive ? time(item) >= Date.parse(after) : time(item) > Date.parse(after))) &&
        (!before || time(item) < Date.parse(before)),
    );
    const orderBy = request.query.order_by ?? defaultOrder;
    const key = (item: JsonRecord): number => (orderBy === 'id' ? (item.id as number) : Date.parse(item[orderBy] as string));
    items.sort((a, b) => key(a) - key(b) || (a.id as number) - (b.id as number));
    if ((request.query.sort ?? 'desc') === 'desc') items.reverse();
    return items;
  }
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

function jobAnswer(job: JsonRecord | undefined): FakeResponse {
  return job ? { body: job } : notFound('Job');
}

function notFound(what: string): FakeResponse {
  return { status: 404, body: { message: `404 ${what} Not Found` } };
}

function byId(a: JsonRecord, b: JsonRecord): number {
  return (a.id as number) - (b.id as number);
}
