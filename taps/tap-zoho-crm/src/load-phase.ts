import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { StreamSelection } from '@observes/catalogs';
import type { JsonRecord } from '@observes/protocol';
import { errorText } from '@observes/protocol';
import { defineStream, defineTap, syncTap, type StreamDefinition } from '@observes/tap-sdk';
import { configSchema } from './config.js';
import { followExports, moduleExport, type ModuleExport } from './export-follower.js';
import { readExportFile } from './export-reader.js';
import { moduleSchema } from './field-schema.js';
import { moduleFields, selectedFields, selectedModules } from './module-fields.js';
import { readPrepared, type PreparedExports } from './prepared-state.js';
import { PreparedStateWriter } from './prepared-state-writer.js';
import { readUsers, usersSchema } from './users-api.js';
import { DownloadGoneError } from './zoho-client.js';
import { USERS_STREAM } from './zoho-modules.js';
import type { ZohoSession } from './zoho-session.js';

/** What the load phase did. */
export interface LoadOutcome {
  /** Streams written in full, each ended by its ACTIVATE_VERSION. */
  loaded: string[];
  /** Modules not loaded this run, with why (failed job, timeout, bad export…). */
  failed: { module: string; problem: string }[];
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Input state: the prepared exports and the SDK's bookmarks. */
  state: unknown;
  /** A catalog's selection, if any. */
  selection: Map<string, StreamSelection> | undefined;
  /** Where Singer messages go. */
  out: Writable;
  /** The tap's version, for the SDK's tap definition. */
  version: string;
}

/**
 * The records of a complete export, page after page: each result downloaded to a temporary file, then streamed.
 * A result the server no longer has (expired early) restarts the export once; the pages already written come again
 * in the same table version, which the target merges by `id`.
 */
async function* exportRecords(session: ZohoSession, exp: ModuleExport, dir: string): AsyncGenerator<JsonRecord> {
  for (let attempt = 0; ; attempt++) {
    try {
      for (const page of exp.pages) {
        const where = `the export of ${exp.module} page ${page.job.page} (job ${page.job.id})`;
        const file = join(dir, `${page.job.id}.zip`);
        await session.client.download(page.result!.download_url, file, where);
        try {
          yield* readExportFile({ file, where, fields: exp.fields, count: page.result!.count, separator: session.config.multiselect_separator });
          session.logger.info('export page read', { module: exp.module, page: page.job.page, of: exp.pages.length, records: page.result!.count });
        } finally {
          await rm(file, { force: true });
        }
      }
      return;
    } catch (error) {
      if (!(error instanceof DownloadGoneError) || attempt > 0) throw error;
      session.logger.warn('a result is gone before its expiry: exporting the module again', { module: exp.module, problem: error.message });
      Object.assign(exp, moduleExport(exp.module, exp.fields));
      await followExports([exp], session.follow);
      if (exp.status !== 'complete') throw new Error(`${exp.module} could not be exported again: ${exp.problem}`);
    }
  }
}

/**
 * The load phase (the tap's sync): takes the prepared exports from the state, prepares the selected modules that have
 * none (so a plain `tap-zoho-crm | target` works without a prepare), waits for every export to complete, then writes
 * each complete module as a full refresh through the SDK's sync (SCHEMA from the prepared fields, RECORDs,
 * ACTIVATE_VERSION, STATE), and the users from the users API. Modules whose export failed or did not finish in time
 * are reported and left out (their tables keep the last load); the others load. The last STATE keeps only exports
 * still running (a next load picks them up); loaded and failed ones are gone, so the next run exports them afresh.
 */
export async function runLoad(session: ZohoSession, options: LoadOptions): Promise<LoadOutcome> {
  const { config, logger, client } = session;
  const prepared = readPrepared(options.state);
  const modules = selectedModules(config.modules, options.selection);
  await session.auth.token();
  const outcome: LoadOutcome = { loaded: [], failed: [] };

  const exports: ModuleExport[] = [];
  for (const module of modules.filter((m) => m !== USERS_STREAM)) {
    const entry = prepared.modules[module];
    if (entry) {
      // All the prepared fields: they are the CSV's columns; a catalog's choice applies to the records written.
      exports.push(moduleExport(module, entry.fields, entry.job));
      continue;
    }
    try {
      logger.info('module not prepared: preparing it now', { module });
      exports.push(moduleExport(module, selectedFields(await moduleFields(client, module, logger), options.selection?.get(module))));
    } catch (error) {
      outcome.failed.push({ module, problem: errorText(error) });
      logger.error('module not loaded', { module, problem: errorText(error) });
    }
  }
  await followExports(exports, session.follow);

  // What a next run still needs: every export not yet loaded whose jobs still run or wait to be read.
  const remaining: PreparedExports = { ...(prepared.prepared_at ? { prepared_at: prepared.prepared_at } : {}), modules: {} };
  for (const exp of exports) {
    if (exp.status === 'failed' || exp.status === 'timed-out') outcome.failed.push({ module: exp.module, problem: exp.problem! });
    if ((exp.status === 'complete' || exp.status === 'timed-out') && exp.pages[0]) {
      remaining.modules[exp.module] = {
        fields: exp.fields,
        prepared_at: prepared.modules[exp.module]?.prepared_at ?? session.clock.now().toISOString(),
        job: exp.pages[0].job,
      };
    }
  }

  const dir = await mkdtemp(join(tmpdir(), 'tap-zoho-crm-'));
  try {
    const streams: StreamDefinition[] = [];
    for (const module of modules) {
      if (module === USERS_STREAM) {
        streams.push(defineStream({ name: USERS_STREAM, schema: usersSchema, keyProperties: ['id'], records: () => readUsers(client) }));
        continue;
      }
      const exp = exports.find((e) => e.module === module && e.status === 'complete');
      if (!exp) continue;
      streams.push(
        defineStream({
          name: module,
          schema: moduleSchema(module, selectedFields(exp.fields, options.selection?.get(module))),
          keyProperties: ['id'],
          async *records() {
            yield* exportRecords(session, exp, dir);
            // Past its last record: the SDK writes its ACTIVATE_VERSION, then a STATE without this export.
            delete remaining.modules[module];
          },
        }),
      );
    }
    // A module's schema is the one built from its exported fields (a catalog's may be older); users have a fixed
    // schema, which the catalog's restricts to its selected fields. The catalog chooses streams and fields.
    const chosen = (name: string) => options.selection!.get(name)!;
    const selection = options.selection
      ? new Map(streams.map((s) => [s.name, s.name === USERS_STREAM ? chosen(s.name) : { ...chosen(s.name), schema: s.schema }]))
      : undefined;
    const tap = defineTap({ name: 'zoho-crm', version: options.version, configSchema, streams });
    const writer = new PreparedStateWriter(options.out, () => remaining);
    await syncTap({
      tap,
      config: config as unknown as Record<string, unknown>,
      http: session.http,
      selection,
      state: options.state,
      writer,
      logger,
      metrics: session.metrics,
      clock: session.clock,
    });
    await writer.end();
    outcome.loaded = streams.map((s) => s.name);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return outcome;
}
