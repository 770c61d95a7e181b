/**
 * The `observes` CLI as a library: validate streams, load and run pipelines, manage state.
 * @packageDocumentation
 */
export * from './text-table.js';
export * from './validate-stream.js';
export * from './validate-command.js';
export * from './cli-error.js';
export * from './interpolate-env.js';
export * from './pipeline-schema.js';
export * from './pipeline-config.js';
export * from './catalog-selection.js';
export * from './resolve-command.js';
export * from './split-command.js';
export * from './record-counter.js';
export * from './progress-reporter.js';
export * from './state-saver.js';
export * from './child-process.js';
export * from './run-result.js';
export * from './run-unit.js';
export * from './run-pipeline.js';
export * from './run-summary.js';
export * from './run-command.js';
export * from './state-command.js';
export * from './demo-command.js';
export * from './batch-schedule.js';
