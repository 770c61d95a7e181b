/**
 * A tiny local HTTP server builder for tap tests: routes, pagination styles and behaviours
 * (auth, rate limits, injected failures, delays), with a request log.
 * @module
 */
export * from './fake-api.js';
export * from './behaviours.js';
export * from './pagination.js';
