import { runJob } from '@observes/job-core';
import { computeBillsJob } from './compute-bills-job.js';

await runJob(computeBillsJob);
