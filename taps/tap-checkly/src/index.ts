/**
 * tap-checkly: the Checkly public API v1 (check results by time window, bookmarked per check; secrets masked).
 * The local fake of the API for tests is at `@observes/tap-checkly/fake-checkly-api` and
 * `@observes/tap-checkly/fake-checkly-data` (kept out of this entry point: it needs the dev-only testkit).
 * @packageDocumentation
 */
export { tap } from './tap.js';
export * from './config.js';
export * from './mask-secrets.js';
export * from './result-windows.js';
