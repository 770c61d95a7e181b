/**
 * The Tap SDK: declare a tap as data (config schema, secrets, streams); the SDK owns the CLI, config validation,
 * catalog selection, bookmarks and STATE, versions, logs and metrics, and an HTTP client with retries and pagination.
 * @packageDocumentation
 */
export * from './tap-definition.js';
export * from './run-tap.js';
export * from './sync-tap.js';
export * from './config.js';
export * from './bookmarks.js';
export * from './clock.js';
export * from './metrics.js';
export * from './http-message.js';
export * from './http-client.js';
export * from './http-transport.js';
export * from './http-recorder.js';
export * from './paginators.js';
export * from './retry-delay.js';
export * from './rate-limiter.js';
export * from './redact-url.js';
export { loadSchema, loadSchemas } from '@observes/catalogs';
export * from './standalone-cli.js';
