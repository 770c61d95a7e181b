/**
 * compute-bills: active authors per group and month, as CSV files in the bills bucket.
 * @packageDocumentation
 */
export { computeBillsJob } from './compute-bills-job.js';
export * from './settings.js';
export * from './bill-builder.js';
export * from './bill-csv.js';
export * from './bill-month.js';
export * from './bills-store.js';
export * from './commits-query.js';
export * from './mailmap.js';
export * from './platform-organizations.js';
export * from './warehouse-commits.js';
