import type { StreamSelection } from '@observes/catalogs';
import { HttpError, type TapState } from '@observes/tap-sdk';
import { createJob } from './bulk-read-api.js';
import { CreditBudgetExceeded } from './credit-meter.js';
import { moduleFields, selectedFields, selectedModules } from './module-fields.js';
import { withPrepared, type PreparedExports, type PreparedModule } from './prepared-state.js';
import { USERS_STREAM } from './zoho-modules.js';
import type { ZohoSession } from './zoho-session.js';
import { errorText } from '@observes/protocol';

/** What the prepare phase did. */
export interface PrepareOutcome {
  /** The state to emit: the input state with `zoho_crm` replaced by the prepared exports. */
  state: TapState;
  /** Modules with a job. */
  started: string[];
  /** Modules prepared without a job yet (no free slot, Zoho refused for now, no credits): the load creates it. */
  deferred: string[];
  /** Modules that could not be prepared, with why: the load tries them again. */
  failed: { module: string; problem: string }[];
}

/**
 * The prepare phase: for each selected bulk module, reads its fields (the fields metadata API) and creates the bulk
 * read job of its first page, at most `max_concurrent_jobs` of them; the rest are kept with their fields for the
 * load phase to start when slots free up. The prepared exports (job ids, modules, fields, creation times) replace
 * `state.zoho_crm`; the rest of the state (the SDK's bookmarks and table versions) is kept. A module that fails is
 * reported and the others go on; only a run that prepares nothing at all fails.
 */
export async function runPrepare(session: ZohoSession, state: unknown, selection: Map<string, StreamSelection> | undefined): Promise<PrepareOutcome> {
  const { client, logger, config } = session;
  const now = () => session.clock.now().toISOString();
  // Refused credentials fail the run at once rather than every module one by one.
  await session.auth.token();
  const prepared: PreparedExports = { prepared_at: now(), modules: {} };
  const outcome: PrepareOutcome = { state: {} as TapState, started: [], deferred: [], failed: [] };
  const modules = selectedModules(config.modules, selection).filter((m) => m !== USERS_STREAM);
  for (const module of modules) {
    let entry: PreparedModule;
    try {
      entry = { fields: selectedFields(await moduleFields(client, module, logger), selection?.get(module)), prepared_at: now() };
    } catch (error) {
      outcome.failed.push({ module, problem: errorText(error) });
      logger.error('module not prepared', { module, problem: errorText(error) });
      continue;
    }
    prepared.modules[module] = entry;
    if (outcome.started.length >= config.max_concurrent_jobs) {
      outcome.deferred.push(module);
      continue;
    }
    try {
      const job = await createJob(client, { module: { api_name: module }, fields: entry.fields.map((f) => f.api_name), page: 1 }, `${module} page 1`);
      entry.job = { id: job.id, page: 1, created_time: job.created_time ?? now() };
      outcome.started.push(module);
      logger.info('bulk read job created', { module, page: 1, job: job.id, fields: entry.fields.length });
    } catch (error) {
      const problem = errorText(error);
      if ((error instanceof HttpError && error.status === 429) || error instanceof CreditBudgetExceeded) {
        outcome.deferred.push(module);
        logger.warn('bulk read job not created now: the load creates it', { module, problem });
      } else {
        entry.error = problem;
        outcome.failed.push({ module, problem });
        logger.error('bulk read job not created', { module, problem });
      }
    }
  }
  if (modules.length > 0 && outcome.failed.length === modules.length) {
    throw new Error(`no module could be prepared: ${outcome.failed.map((f) => `${f.module}: ${f.problem}`).join('; ')}`);
  }
  if (outcome.deferred.length > 0)
    logger.info('modules prepared without a job yet: the load phase starts them as slots free up', { modules: outcome.deferred });
  outcome.state = withPrepared(state, prepared);
  return outcome;
}
