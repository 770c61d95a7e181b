import { errorText, type Logger } from '@observes/protocol';
import { nextPageHeaderPaginator, type HttpClient, type Metrics } from '@observes/tap-sdk';
import type { GitlabConfig } from './config.js';
import { projectUnavailable } from './gitlab-errors.js';
import type { GitlabProject } from './gitlab-records.js';

/** What the project lookup needs from a stream's context. */
export interface ProjectsContext {
  http: HttpClient;
  config: GitlabConfig;
  logger: Logger;
  metrics: Metrics;
}

const resolved = new WeakMap<HttpClient, Promise<GitlabProject[]>>();

/**
 * The configured projects (`projects`, plus every project of `groups` and their subgroups), by id, each fetched
 * once per run: every per-project stream partitions on them, whether or not the `projects` stream is selected.
 * A configured project or group GitLab refuses (403) or does not know (404) is skipped with a warning and a
 * `partition_skipped` METRIC; the run fails only when none of them could be read.
 */
export function gitlabProjects(ctx: ProjectsContext): Promise<GitlabProject[]> {
  let projects = resolved.get(ctx.http);
  if (!projects) {
    projects = fetchProjects(ctx);
    // A failed lookup must not be cached for the next run sharing the client.
    projects.catch(() => resolved.delete(ctx.http));
    resolved.set(ctx.http, projects);
  }
  return projects;
}

async function fetchProjects(ctx: ProjectsContext): Promise<GitlabProject[]> {
  const { http, config } = ctx;
  const byId = new Map<number, GitlabProject>();
  const wanted = (config.projects?.length ?? 0) + (config.groups?.length ?? 0);
  let unavailable = 0;
  /** Runs one lookup; a project or group GitLab will not show is skipped, anything else fails the run. */
  const lookUp = async (what: string, lookup: () => Promise<void>) => {
    try {
      await lookup();
    } catch (error) {
      const reason = projectUnavailable(error);
      if (reason === undefined) throw error;
      unavailable++;
      ctx.logger.warn(`skipping ${what}: ${reason}`, { error: errorText(error) });
      ctx.metrics.counter('partition_skipped', 1, { stream: 'projects', partition: what, reason });
    }
  };
  for (const project of config.projects ?? []) {
    await lookUp(`project ${project}`, async () => {
      const found = await http.get<GitlabProject>(`projects/${encodeURIComponent(String(project))}`);
      byId.set(found.id, found);
    });
  }
  for (const group of config.groups ?? []) {
    await lookUp(`group ${group}`, async () => {
      const listing = http.paginate<GitlabProject>(`groups/${encodeURIComponent(String(group))}/projects`, {
        paginator: nextPageHeaderPaginator({ size: config.per_page }),
        // https://docs.gitlab.com/ee/api/groups.html#list-a-groups-projects: shared projects come unless with_shared=false.
        query: { include_subgroups: true, with_shared: config.include_shared_projects, order_by: 'id', sort: 'asc' },
      });
      for await (const project of listing) byId.set(project.id, project);
    });
  }
  if (wanted > 0 && unavailable === wanted) throw new Error(`none of the ${wanted} configured projects and groups could be read (see the warnings)`);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** The partition of a per-project stream. */
export interface ProjectPartition {
  project_id: number;
  [key: string]: unknown;
}

/** Partitions of the per-project streams: one per configured project. */
export async function* projectPartitions(ctx: ProjectsContext): AsyncGenerator<ProjectPartition> {
  for (const project of await gitlabProjects(ctx)) yield { project_id: project.id };
}
