import { randomBytes } from 'node:crypto';
import { startFakeApi, type FakeApi, type FakeRequest, type FakeResponse } from '@observes/testkit';

/**
 * A local fake of the AWS Batch API's ListJobs and DescribeJobs, spoken through the real
 * `@aws-sdk/client-batch` (its `endpoint` pointed here). What it does, and where it comes from:
 *
 * - Protocol: restJson1, `POST /v1/listjobs` and `POST /v1/describejobs` with JSON bodies (the
 *   operation bindings of @aws-sdk/client-batch 3.1138.0). Errors are `ClientException` (400) and
 *   `ServerException` (500) with the type in `x-amzn-errortype` and `{"message"}` as body
 *   (the two errors of models/errors.d.ts in the same package; the restJson1 error shape).
 * - Requests must be SigV4-signed for the `batch` service, else 403 `UnrecognizedClientException`.
 * - ListJobs takes exactly one of `jobQueue`, `arrayJobId`, `multiNodeJobId` ("You must specify only
 *   one of the following items"; https://docs.aws.amazon.com/cli/latest/reference/batch/list-jobs.md);
 *   without `jobStatus` (and without filters) only RUNNING jobs are returned; `maxResults` is at least
 *   1 and with `jobStatus` at most 1000 per page; `nextToken` is opaque and absent on the last page
 *   (ListJobsRequest/ListJobsResponse in the SDK's models, the API reference text:
 *   https://docs.aws.amazon.com/batch/latest/APIReference/API_ListJobs.html). `filters` are not
 *   implemented by this fake (answered 400, so a change of the job's queries is noticed). Jobs come
 *   newest first (documented for filtered lists; assumed here for status lists: the job must not
 *   depend on the order).
 * - Summaries carry jobArn, jobId, jobName, createdAt, status, statusReason, startedAt, stoppedAt,
 *   container {exitCode, reason} and jobDefinition (JobSummary, ContainerSummary); times are epoch ms.
 * - DescribeJobs takes "a list of up to 100 job IDs" (DescribeJobsRequest; boto3's describe_jobs
 *   reference); unknown ids are left out of the answer. Details add jobQueue, attempts [{container
 *   {exitCode, reason, logStreamName}, startedAt, stoppedAt, statusReason}], retryStrategy, timeout
 *   {attemptDurationSeconds} (JobDetail, AttemptDetail, JobTimeout).
 * - The fixtures follow what Batch says about failures: a container that exits non-zero gives
 *   "Essential container in task exited" with its exit code (getmoto/moto#2829,
 *   aws-samples/aws-genomics-workflows#142); a lost instance gives "Host EC2 (instance ...)
 *   terminated." and no exit code (nextstrain/cli#145; infra retries on `Host EC2*`); a job held in
 *   RUNNABLE by capacity shows "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the
 *   capacity requested for instance type [...]" (Batch user guide, job_stuck_in_runnable_capacity).
 */

/** A job as the fake holds it: a JobDetail (plain JSON, epoch-ms times). */
export interface FakeBatchJob {
  jobArn: string;
  jobId: string;
  jobName: string;
  jobQueue: string;
  jobDefinition: string;
  status: 'SUBMITTED' | 'PENDING' | 'RUNNABLE' | 'STARTING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  statusReason?: string;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  container?: { exitCode?: number; reason?: string; logStreamName?: string };
  attempts?: Array<{
    container?: { exitCode?: number; reason?: string; logStreamName?: string };
    startedAt?: number;
    stoppedAt?: number;
    statusReason?: string;
  }>;
  retryStrategy?: { attempts: number };
  timeout?: { attemptDurationSeconds: number };
}

/** Options of {@link startFakeBatchApi}. */
export interface FakeBatchOptions {
  /** The jobs of every queue; queues are matched by name or ARN. */
  jobs: FakeBatchJob[];
  /** ListJobs requests (1-based, among ListJobs requests) answered 500 ServerException; the SDK retries them. */
  serverErrorOnListJobs?: number[];
}

/** A running fake Batch API. */
export interface FakeBatchApi extends FakeApi {
  /** ListJobs request bodies as received, in order, with whether they were answered. */
  listJobsCalls: Array<{ body: Record<string, unknown>; status: number; returned: number; nextToken?: string }>;
  /** DescribeJobs id lists, in order. */
  describeJobsCalls: string[][];
}

const error = (status: number, type: string, message: string): FakeResponse => ({ status, headers: { 'x-amzn-errortype': type }, body: { message } });
const SUMMARY_FIELDS = ['jobArn', 'jobId', 'jobName', 'createdAt', 'status', 'statusReason', 'startedAt', 'stoppedAt', 'jobDefinition'] as const;

function summaryOf(job: FakeBatchJob): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const field of SUMMARY_FIELDS) if (job[field] !== undefined) summary[field] = job[field];
  if (job.container) summary.container = { exitCode: job.container.exitCode, reason: job.container.reason };
  return summary;
}

/** Starts the fake on 127.0.0.1; point `BatchClient({ endpoint: api.url })` at it. */
export async function startFakeBatchApi(options: FakeBatchOptions): Promise<FakeBatchApi> {
  const secret = randomBytes(8).toString('hex');
  const byCreatedDesc = [...options.jobs].sort((a, b) => b.createdAt - a.createdAt || (a.jobId < b.jobId ? 1 : -1));
  const listJobsCalls: FakeBatchApi['listJobsCalls'] = [];
  const describeJobsCalls: string[][] = [];
  let listCount = 0;

  const signed = (request: FakeRequest) =>
    /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/batch\/aws4_request, /.test(String(request.headers.authorization ?? ''));
  const parseBody = (request: FakeRequest): Record<string, unknown> | undefined => {
    try {
      const body = JSON.parse(request.body || '{}');
      return typeof body === 'object' && body !== null && !Array.isArray(body) ? body : undefined;
    } catch {
      return undefined;
    }
  };

  const listJobs = (request: FakeRequest): FakeResponse => {
    const body = parseBody(request);
    if (!body) return error(400, 'ClientException', 'The request body is not a JSON object');
    const answer = (response: FakeResponse, returned = 0, nextToken?: string) => {
      listJobsCalls.push({ body, status: response.status ?? 200, returned, nextToken });
      return response;
    };
    if (options.serverErrorOnListJobs?.includes(++listCount))
      return answer(error(500, 'ServerException', 'We encountered an internal error. Please try again.'));
    const scopes = ['jobQueue', 'arrayJobId', 'multiNodeJobId'].filter((k) => body[k] !== undefined);
    if (scopes.length !== 1) return answer(error(400, 'ClientException', 'You must specify only one of the following: jobQueue, arrayJobId, multiNodeJobId'));
    if (body.filters !== undefined) return answer(error(400, 'ClientException', 'filters are not implemented by this fake'));
    if (typeof body.jobQueue !== 'string') return answer(error(400, 'ClientException', 'array and multi-node jobs are not implemented by this fake'));
    const status = (body.jobStatus as string | undefined) ?? 'RUNNING';
    const maxResults = body.maxResults === undefined ? 1000 : Number(body.maxResults);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000)
      return answer(error(400, 'ClientException', `maxResults must be between 1 and 1000, got ${String(body.maxResults)}`));
    const queue = body.jobQueue;
    const inQueue = (job: FakeBatchJob) => job.jobQueue === queue || job.jobQueue.endsWith(`:job-queue/${queue}`);
    const matching = byCreatedDesc.filter((job) => inQueue(job) && job.status === status);
    let offset = 0;
    if (body.nextToken !== undefined) {
      const decoded = decodeToken(String(body.nextToken), secret);
      if (!decoded || decoded.queue !== queue || decoded.status !== status) return answer(error(400, 'ClientException', 'Invalid nextToken'));
      offset = decoded.offset;
    }
    const page = matching.slice(offset, offset + maxResults);
    const next = offset + maxResults < matching.length ? encodeToken({ queue, status, offset: offset + maxResults }, secret) : undefined;
    return answer({ body: { jobSummaryList: page.map(summaryOf), ...(next ? { nextToken: next } : {}) } }, page.length, next);
  };

  const describeJobs = (request: FakeRequest): FakeResponse => {
    const body = parseBody(request);
    const ids = body?.jobs;
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) return error(400, 'ClientException', 'jobs must be a list of job IDs');
    if (ids.length > 100) return error(400, 'ClientException', 'A maximum of 100 job IDs can be described at once');
    describeJobsCalls.push(ids as string[]);
    const byId = new Map(options.jobs.map((job) => [job.jobId, job]));
    return { body: { jobs: (ids as string[]).map((id) => byId.get(id)).filter((job) => job !== undefined) } };
  };

  const api = await startFakeApi({
    behaviours: [
      async (request, next) => (signed(request) ? next() : error(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.')),
    ],
    routes: [
      { method: 'POST', path: '/v1/listjobs', handler: listJobs },
      { method: 'POST', path: '/v1/describejobs', handler: describeJobs },
    ],
  });
  return Object.assign(api, { listJobsCalls, describeJobsCalls });
}

function encodeToken(value: { queue: string; status: string; offset: number }, secret: string): string {
  return Buffer.from(JSON.stringify({ ...value, secret })).toString('base64url');
}

function decodeToken(token: string, secret: string): { queue: string; status: string; offset: number } | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return value.secret === secret && Number.isInteger(value.offset) ? value : undefined;
  } catch {
    return undefined;
  }
}
