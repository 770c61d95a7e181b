import type { JsonRecord } from '@observes/protocol';
import { defineStream, loadSchema, type PartitionsContext, type StreamContext, type StreamDefinition } from '@observes/tap-sdk';
import { backupsOf } from './backup-store.js';
import type { TimedoctorConfig } from './config.js';
import { apiOf } from './timedoctor-api.js';

/** Every stream is split by company: bookmarks, keys and records carry `company_id`. */
export interface CompanyPartition {
  company_id: string;
  [key: string]: unknown;
}

/** The companies to extract, as partitions. */
export async function* companyPartitions(ctx: PartitionsContext<TimedoctorConfig>): AsyncGenerator<CompanyPartition> {
  for (const company_id of await apiOf(ctx).companyIds(ctx.logger)) yield { company_id };
}

interface EntitySpec {
  name: 'users' | 'projects' | 'tasks';
  /** The company's current list, page by page. */
  read(ctx: StreamContext<TimedoctorConfig, CompanyPartition>): AsyncIterable<JsonRecord[]>;
}

/**
 * A company's users, projects or tasks: a full table (ACTIVATE_VERSION around each run), since the API has no change
 * filter for them. In a full refresh from backups, entities the API no longer lists (deleted users, whose worklogs
 * stay) are taken from the newest backup that has them: the API's answer wins, then newer backups over older.
 */
function entityStream(spec: EntitySpec): StreamDefinition<TimedoctorConfig, CompanyPartition> {
  return defineStream<TimedoctorConfig, CompanyPartition>({
    name: spec.name,
    schema: loadSchema('tap-timedoctor', spec.name),
    keyProperties: ['company_id', 'id'],
    partitions: companyPartitions,
    async *records(ctx) {
      const company = ctx.partition!.company_id;
      const seen = new Set<string>();
      for await (const page of spec.read(ctx)) {
        for (const item of page) {
          seen.add(String(item.id));
          yield { ...item, company_id: company };
        }
      }
      const backups = backupsOf(ctx);
      if (!backups) return;
      let restored = 0;
      for (const month of await backups.monthsWith(spec.name)) {
        for await (const record of backups.records(month, spec.name)) {
          if (record.company_id !== company || seen.has(String(record.id))) continue;
          seen.add(String(record.id));
          restored++;
          yield record;
        }
      }
      if (restored > 0) ctx.logger.info('kept from the backups what the API no longer lists', { records: restored });
    },
  });
}

/** `GET /users` (archived users included). */
export const usersStream = entityStream({
  name: 'users',
  async *read(ctx) {
    yield await apiOf(ctx).companyUsers(ctx.partition!.company_id, ctx.logger);
  },
});

/** `GET /projects`. */
export const projectsStream = entityStream({ name: 'projects', read: (ctx) => apiOf(ctx).list('projects', ctx.partition!.company_id, ctx.logger) });

/** `GET /tasks`. */
export const tasksStream = entityStream({ name: 'tasks', read: (ctx) => apiOf(ctx).list('tasks', ctx.partition!.company_id, ctx.logger) });
