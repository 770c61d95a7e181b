/**
 * The shared core of the Observes jobs: a job declared as data (its settings once; flags,
 * environment overrides, validation, `--help` and `--about` come from them), its run, and exit codes.
 * @packageDocumentation
 */
export * from './job-definition.js';
export * from './run-job.js';
export * from './settings-table.js';
export { flagName, flagType } from '@observes/protocol';
