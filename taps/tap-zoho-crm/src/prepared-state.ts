import { normalizeState, type TapState } from '@observes/tap-sdk';
import type { ZohoField } from './field-schema.js';

/** Key of the tap's own part of the state, next to the SDK's `bookmarks`. */
export const STATE_KEY = 'zoho_crm';

/** A bulk read job, as the state keeps it. */
export interface PreparedJob {
  /** Job id (`details.id` of the create answer). */
  id: string;
  /** Page of the export (1 = records 1 to 200,000). */
  page: number;
  /** When Zoho created it (ISO 8601): its result expires a day later. */
  created_time: string;
}

/** What the prepare phase leaves for the load phase, per module. */
export interface PreparedModule {
  /** The fields exported, from the fields metadata API at prepare time: the job's CSV columns and the SCHEMA. */
  fields: ZohoField[];
  /** When the module was prepared. */
  prepared_at: string;
  /** The job of the export's first page; absent when it could not be created yet (no free slot, no credits). */
  job?: PreparedJob;
  /** Why the prepare phase could not finish the module: the load tries again. */
  error?: string;
}

/** The prepared exports, `state.zoho_crm`. */
export interface PreparedExports {
  /** When the prepare phase ran. */
  prepared_at?: string;
  /** By module API name. */
  modules: Record<string, PreparedModule>;
}

/** Reads `state.zoho_crm` of a tap state (a bare state or a STATE message); empty when there is none. */
export function readPrepared(state: unknown): PreparedExports {
  const value = normalizeState(state)[STATE_KEY];
  if (value === undefined) return { modules: {} };
  const modules = (value as { modules?: unknown } | null)?.modules;
  if (typeof modules !== 'object' || modules === null || Array.isArray(modules)) {
    throw new Error(`the state's "${STATE_KEY}" must be {"modules": {<module>: {"fields": [...], "job": {...}}}}`);
  }
  for (const [module, entry] of Object.entries(modules as Record<string, unknown>)) {
    const { fields, job } = (entry ?? {}) as Partial<PreparedModule>;
    if (!Array.isArray(fields) || fields.some((f) => typeof f?.api_name !== 'string' || typeof f?.data_type !== 'string')) {
      throw new Error(`the state's "${STATE_KEY}.modules.${module}.fields" must be a list of {"api_name", "data_type"}`);
    }
    if (job !== undefined && (typeof job?.id !== 'string' || typeof job.page !== 'number' || Number.isNaN(Date.parse(job.created_time)))) {
      throw new Error(`the state's "${STATE_KEY}.modules.${module}.job" must be {"id", "page", "created_time"}`);
    }
  }
  return value as PreparedExports;
}

/** `state` with its prepared exports replaced (removed when there are none left). */
export function withPrepared(state: unknown, prepared: PreparedExports): TapState {
  const out = normalizeState(state);
  if (Object.keys(prepared.modules).length === 0) delete out[STATE_KEY];
  else out[STATE_KEY] = prepared;
  return out;
}
