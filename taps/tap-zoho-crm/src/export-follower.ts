import type { Logger } from '@observes/protocol';
import { errorText } from '@observes/protocol';
import { HttpError } from '@observes/tap-sdk';
import { COMPLETED, createJob, FAILED_STATES, jobDetails, type JobQuery, type JobResult } from './bulk-read-api.js';
import { CreditBudgetExceeded } from './credit-meter.js';
import type { ZohoField } from './field-schema.js';
import type { PreparedJob } from './prepared-state.js';
import type { ZohoClient } from './zoho-client.js';

/** One page of a module's export: its job and, once it completed, its result. */
export interface ExportPage {
  job: PreparedJob;
  /** Last state seen (`ADDED`, `QUEUED`, `IN PROGRESS`, `COMPLETED`). */
  state: string;
  result?: JobResult;
}

/** Where a module's export stands. */
export type ExportStatus = 'waiting' | 'running' | 'complete' | 'failed' | 'timed-out';

/** A module's export: the chain of page jobs that together hold every record. */
export interface ModuleExport {
  module: string;
  fields: ZohoField[];
  pages: ExportPage[];
  /** `waiting`: its next page's job is not created yet; `running`: the last page's job is not finished. */
  status: ExportStatus;
  /** Why it failed or timed out. */
  problem?: string;
}

/** Options of {@link followExports}. */
export interface FollowOptions {
  client: ZohoClient;
  logger: Logger;
  /** Jobs running at once, at most. */
  maxConcurrentJobs: number;
  /** First wait between two status rounds, ms. */
  pollIntervalMs: number;
  /** Longest wait between two rounds, ms. */
  maxPollIntervalMs: number;
  /** When to stop waiting, ms from the start. */
  timeoutMs: number;
  /** Age at which a job's result counts as expired, ms. */
  resultExpiryMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A module export that starts from a prepared first-page job, or from nothing. */
export function moduleExport(module: string, fields: ZohoField[], job?: PreparedJob): ModuleExport {
  return { module, fields, pages: job ? [{ job, state: 'ADDED' }] : [], status: job ? 'running' : 'waiting' };
}

/** Where the next page of an export comes from: the previous page's token, else its page number plus one. */
function nextQuery(exp: ModuleExport): JobQuery {
  const last = exp.pages.at(-1);
  if (last?.result?.next_page_token) return { page_token: last.result.next_page_token };
  return { module: { api_name: exp.module }, fields: exp.fields.map((f) => f.api_name), page: (last?.job.page ?? 0) + 1 };
}

/** Log progress at most this often while nothing changes. */
const PROGRESS_EVERY_MS = 60_000;
/** A result this close to its expiry is not worth downloading: recreate it. */
const EXPIRY_MARGIN_MS = 30 * 60_000;

/**
 * Follows module exports until each is complete (every page's job COMPLETED, the last without `more_records`),
 * failed or timed out: creates page jobs as slots free up (never more than `maxConcurrentJobs` running), polls them
 * with a doubling interval (each status call costs a credit), and creates the next page's job from the previous
 * page's `next_page_token`. A job older than the result expiry, or one the API no longer knows, restarts its module's
 * export from page 1. Never throws for one module: its status and problem say what happened.
 */
export async function followExports(exports: ModuleExport[], options: FollowOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { client, logger } = options;
  const deadline = now() + options.timeoutMs;
  const fail = (exp: ModuleExport, status: 'failed' | 'timed-out', problem: string) => {
    exp.status = status;
    exp.problem = problem;
    logger.error(status === 'failed' ? 'module export failed' : 'module export not finished', { module: exp.module, problem });
  };
  const restart = (exp: ModuleExport, why: string) => {
    logger.warn('recreating the export', { module: exp.module, reason: why });
    exp.pages = [];
    exp.status = 'waiting';
  };
  const expired = (job: PreparedJob) => Date.parse(job.created_time) + options.resultExpiryMs - EXPIRY_MARGIN_MS <= now();

  for (const exp of exports) {
    const old = exp.pages.find((p) => expired(p.job));
    if (old) restart(exp, `job ${old.job.id} was created at ${old.job.created_time}, its result expires ${options.resultExpiryMs / 3_600_000} h after`);
  }

  let delay = options.pollIntervalMs;
  let lastProgress = 0;
  for (;;) {
    // Create the jobs that have a free slot.
    for (const exp of exports.filter((e) => e.status === 'waiting')) {
      if (exports.filter((e) => e.status === 'running').length >= options.maxConcurrentJobs) break;
      const query = nextQuery(exp);
      const page = 'page' in query ? query.page : (exp.pages.at(-1)?.job.page ?? 0) + 1;
      try {
        const created = await createJob(client, query, `${exp.module} page ${page}`);
        exp.pages.push({ job: { id: created.id, page, created_time: created.created_time ?? new Date(now()).toISOString() }, state: 'ADDED' });
        exp.status = 'running';
        logger.info('bulk read job created', { module: exp.module, page, job: created.id });
      } catch (error) {
        if (error instanceof HttpError && error.status === 429) {
          // Zoho refuses more work for now (another client's jobs, the concurrency limit): try again next round.
          logger.warn('bulk read job refused for now, will try again', { module: exp.module, problem: error.message });
          break;
        }
        if (error instanceof CreditBudgetExceeded) {
          fail(exp, 'timed-out', error.message);
          continue;
        }
        fail(exp, 'failed', errorText(error));
      }
    }

    const running = exports.filter((e) => e.status === 'running');
    const waiting = exports.filter((e) => e.status === 'waiting');
    if (running.length === 0 && waiting.length === 0) return;
    if (now() >= deadline) {
      for (const exp of [...running, ...waiting])
        fail(exp, 'timed-out', `not complete after ${Math.round(options.timeoutMs / 60_000)} minutes (job_timeout_minutes)`);
      return;
    }
    if (running.length === 0) {
      // Nothing runs, yet something waits: only a refusal does that; wait before asking again.
      await sleep(delay);
      delay = Math.min(delay * 2, options.maxPollIntervalMs);
      continue;
    }
    if (now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now();
      logger.info('waiting for bulk read exports', {
        running: running.map((e) => `${e.module} page ${e.pages.at(-1)!.job.page}: ${e.pages.at(-1)!.state}`),
        waiting: waiting.map((e) => e.module),
        complete: exports.filter((e) => e.status === 'complete').length,
        next_check_s: delay / 1000,
      });
    }
    await sleep(Math.min(delay, Math.max(0, deadline - now())));

    let changed = false;
    for (const exp of running) {
      const page = exp.pages.at(-1)!;
      try {
        const details = await jobDetails(client, page.job.id, `${exp.module} page ${page.job.page}`);
        if (details.state !== page.state) changed = true;
        page.state = details.state;
        if (FAILED_STATES.has(details.state)) {
          fail(exp, 'failed', `bulk read job ${page.job.id} (page ${page.job.page}) ${details.state}: ${details.error}`);
        } else if (details.state === COMPLETED) {
          page.result = details.result;
          exp.status = details.result!.more_records ? 'waiting' : 'complete';
          logger.info('bulk read job completed', {
            module: exp.module,
            page: page.job.page,
            job: page.job.id,
            records: details.result!.count,
            more_records: details.result!.more_records,
          });
        }
      } catch (error) {
        if (error instanceof HttpError && error.status === 404) restart(exp, `the API no longer knows job ${page.job.id}`);
        else if (error instanceof CreditBudgetExceeded) fail(exp, 'timed-out', error.message);
        else fail(exp, 'failed', errorText(error));
        changed = true;
      }
    }
    delay = changed ? options.pollIntervalMs : Math.min(delay * 2, options.maxPollIntervalMs);
  }
}
