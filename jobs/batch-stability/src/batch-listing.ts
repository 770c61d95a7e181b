import { type BatchClient, DescribeJobsCommand, paginateListJobs, type JobDetail, type JobStatus, type JobSummary } from '@aws-sdk/client-batch';

/** Statuses listed: the finished ones (failures, and successes that show retries and recoveries) and those a job can hang in. */
export const LISTED_STATUSES: readonly JobStatus[] = ['FAILED', 'SUCCEEDED', 'RUNNABLE', 'STARTING', 'RUNNING'];

/** A job summary with the queue it was listed in. */
export interface ListedJob extends JobSummary {
  queue: string;
}

/**
 * Every job of the queues in the listed statuses, one ListJobs walk per queue and status, following
 * `nextToken` until Batch gives none. (A `filters` query would return all statuses at once, but at
 * most 100 per page and only by creation time: a job created before the window and failed within
 * it would be missed.)
 */
export async function listJobs(client: BatchClient, queues: readonly string[], pageSize: number): Promise<ListedJob[]> {
  const jobs: ListedJob[] = [];
  for (const queue of queues) {
    for (const status of LISTED_STATUSES) {
      for await (const page of paginateListJobs({ client, pageSize }, { jobQueue: queue, jobStatus: status })) {
        for (const summary of page.jobSummaryList ?? []) jobs.push({ ...summary, queue });
      }
    }
  }
  return jobs;
}

/** DescribeJobs takes at most 100 job ids per call. */
export const DESCRIBE_BATCH = 100;

/** The details of jobs (attempts, timeout, retry strategy), 100 ids per DescribeJobs call. */
export async function describeJobs(client: BatchClient, ids: readonly string[]): Promise<Map<string, JobDetail>> {
  const details = new Map<string, JobDetail>();
  for (let i = 0; i < ids.length; i += DESCRIBE_BATCH) {
    const { jobs } = await client.send(new DescribeJobsCommand({ jobs: ids.slice(i, i + DESCRIBE_BATCH) }));
    for (const job of jobs ?? []) if (job.jobId) details.set(job.jobId, job);
  }
  return details;
}
