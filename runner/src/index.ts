/**
 * The `observes` CLI as a library: validate streams, run pipelines, manage state.
 * @packageDocumentation
 */
export * from './text-table.js';
export * from './validate-stream.js';
export * from './validate-command.js';
