/**
 * batch-stability: failed, stuck and overdue AWS Batch jobs per pipeline.
 * @packageDocumentation
 */
export { batchStabilityJob } from './batch-stability-job.js';
export * from './settings.js';
export * from './batch-listing.js';
export * from './job-assessment.js';
export * from './stability-report.js';
export * from './alerts.js';
