import { isExactNumber } from '@observes/protocol';
import type { ZohoClient } from './zoho-client.js';

/**
 * The Bulk Read API, v8 (https://www.zoho.com/crm/developer/docs/api/v8/bulk-read/overview.html): create a job,
 * poll it, download its zipped CSV.
 */
export const BULK_READ_PATH = '/crm/bulk/v8/read';

/** The `query` of a new job: the first page of a module, or the next page by token. */
export type JobQuery = { module: { api_name: string }; fields: string[]; page: number } | { page_token: string };

/** `result` of a completed job. */
export interface JobResult {
  /** Page exported (page n holds records 200,000·(n−1)+1 onwards). */
  page: number;
  /** Records in this page's CSV. */
  count: number;
  /** Path of the zip under the API domain, e.g. `/crm/bulk/v8/read/<id>/result`. */
  download_url: string;
  /** Whether another page must be exported. */
  more_records: boolean;
  /** Token of the next page's job (v7 and later). */
  next_page_token?: string;
}

/** A job as the status call describes it. */
export interface JobDetails {
  id: string;
  /** `ADDED`, `QUEUED`, `IN PROGRESS`, `COMPLETED`, or `FAILURE`. */
  state: string;
  created_time?: string;
  result?: JobResult;
  /** Zoho's error of a failed job (`result.error_message`). */
  error?: string;
}

/**
 * States of a failed job: the job-failed callback sample says `"state": "FAILURE"` with `result.error_message`
 * (https://www.zoho.com/crm/developer/docs/api/v7/bulk-read/create-job.html); `FAILED` is accepted as well.
 */
export const FAILED_STATES = new Set(['FAILURE', 'FAILED']);
/** The state of a finished job, its result ready to download. */
export const COMPLETED = 'COMPLETED';

/**
 * Creates a bulk read job: `POST /crm/bulk/v8/read` with `{"query": …}` answers 201 with
 * `{"data": [{"status": "success", "code": "ADDED_SUCCESSFULLY", "details": {"id", "state": "ADDED", "created_time"}}]}`.
 * "If there are more than 200,000 records … use the page_token key to fetch the next set of records", from the
 * `next_page_token` of the previous job (https://www.zoho.com/crm/developer/docs/api/v7/bulk-read/create-job.html).
 */
export async function createJob(client: ZohoClient, query: JobQuery, what: string): Promise<{ id: string; created_time?: string }> {
  const response = await client.request<{ data?: { status?: string; code?: string; message?: string; details?: { id?: unknown; created_time?: unknown } }[] }>(
    'createBulkReadJob',
    `creating the bulk read job of ${what}`,
    { method: 'POST', url: BULK_READ_PATH, body: { query } },
  );
  const entry = response.body?.data?.[0];
  const raw = entry?.details?.id;
  // Ids are 19-digit numbers sent as text; a bare number survives the lossless parse as an ExactNumber.
  const id = typeof raw === 'string' || typeof raw === 'number' || isExactNumber(raw) ? String(raw) : undefined;
  if (entry?.status !== 'success' || !id) {
    throw new Error(`Zoho did not create the bulk read job of ${what}: ${entry?.code ?? 'no job in the answer'}${entry?.message ? ` (${entry.message})` : ''}`);
  }
  const created = entry.details?.created_time;
  return { id, ...(typeof created === 'string' ? { created_time: created } : {}) };
}

/** The status of a job: `GET /crm/bulk/v8/read/{job_id}` (https://www.zoho.com/crm/developer/docs/api/v7/bulk-read/job-details.html). */
export async function jobDetails(client: ZohoClient, id: string, what: string): Promise<JobDetails> {
  const response = await client.request<{ data?: Record<string, unknown>[] }>('other', `checking the bulk read job ${id} of ${what}`, {
    url: `${BULK_READ_PATH}/${encodeURIComponent(id)}`,
  });
  const job = response.body?.data?.[0];
  if (!job || typeof job.state !== 'string') throw new Error(`the status of the bulk read job ${id} of ${what} has no state`);
  const result = job.result as Record<string, unknown> | undefined;
  const details: JobDetails = { id, state: job.state, ...(typeof job.created_time === 'string' ? { created_time: job.created_time } : {}) };
  if (FAILED_STATES.has(job.state)) {
    const error = result?.error_message as { code?: unknown; message?: unknown } | undefined;
    details.error = error ? `${String(error.code ?? 'error')}: ${String(error.message ?? '')}`.trim() : 'no reason given';
  } else if (job.state === COMPLETED) {
    if (!result || typeof result.download_url !== 'string' || typeof result.more_records !== 'boolean') {
      throw new Error(`the bulk read job ${id} of ${what} is COMPLETED without a result (download_url, more_records)`);
    }
    details.result = {
      page: Number(result.page ?? 1),
      count: Number(result.count ?? 0),
      download_url: result.download_url,
      more_records: result.more_records,
      ...(typeof result.next_page_token === 'string' && result.next_page_token !== '' ? { next_page_token: result.next_page_token } : {}),
    };
  }
  return details;
}
