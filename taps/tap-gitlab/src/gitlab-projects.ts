import type { JsonRecord } from '@observes/protocol';
import { nextPageHeaderPaginator, type HttpClient } from '@observes/tap-sdk';
import type { GitlabConfig } from './config.js';

const resolved = new WeakMap<HttpClient, Promise<JsonRecord[]>>();

/**
 * The configured projects (`projects`, plus every project of `groups` and their subgroups), by id, each fetched
 * once per run: every per-project stream partitions on them, whether or not the `projects` stream is selected.
 */
export function gitlabProjects(http: HttpClient, config: GitlabConfig): Promise<JsonRecord[]> {
  let projects = resolved.get(http);
  if (!projects) {
    projects = fetchProjects(http, config);
    // A failed lookup must not be cached for the next run sharing the client.
    projects.catch(() => resolved.delete(http));
    resolved.set(http, projects);
  }
  return projects;
}

async function fetchProjects(http: HttpClient, config: GitlabConfig): Promise<JsonRecord[]> {
  const byId = new Map<number, JsonRecord>();
  for (const project of config.projects ?? []) {
    const found = await http.get<JsonRecord>(`projects/${encodeURIComponent(String(project))}`);
    byId.set(found.id as number, found);
  }
  for (const group of config.groups ?? []) {
    const listing = http.paginate<JsonRecord>(`groups/${encodeURIComponent(String(group))}/projects`, {
      paginator: nextPageHeaderPaginator({ size: config.per_page }),
      query: { include_subgroups: true, order_by: 'id', sort: 'asc' },
    });
    for await (const project of listing) byId.set(project.id as number, project);
  }
  return [...byId.values()].sort((a, b) => (a.id as number) - (b.id as number));
}

/** The partition of a per-project stream. */
export interface ProjectPartition {
  project_id: number;
  [key: string]: unknown;
}

/** Partitions of the per-project streams: one per configured project. */
export async function* projectPartitions(ctx: { http: HttpClient; config: GitlabConfig }): AsyncGenerator<ProjectPartition> {
  for (const project of await gitlabProjects(ctx.http, ctx.config)) yield { project_id: project.id as number };
}
