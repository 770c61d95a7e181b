/**
 * tap-checkly: the Checkly public API v1 (check results by time window, bookmarked per check; secrets masked), and
 * a local fake of the API for tests.
 * @packageDocumentation
 */
export { tap } from './tap.js';
export * from './config.js';
export * from './mask-secrets.js';
export * from './result-windows.js';
export * from './fake-checkly-api.js';
export * from './fake-checkly-data.js';
