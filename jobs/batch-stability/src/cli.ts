import { runJob } from '@observes/job-core';
import { batchStabilityJob } from './batch-stability-job.js';

await runJob(batchStabilityJob);
