/**
 * Real-service test harness (PostgreSQL, S3, DynamoDB, fake HTTP APIs), canonical Singer streams,
 * and the standard `targetSuite`/`tapSuite` every tap and target runs.
 * @packageDocumentation
 */
export * from './postgres-harness.js';
export * from './postgres-tables.js';
export * from './s3-server.js';
export * from './dynalite-server.js';
export * from './fake-http/index.js';
export * from './free-port.js';
export * from './run-process.js';
export * from './stream-expectation.js';
export * from './value-match.js';
export * from './target-suite.js';
export * from './tap-suite.js';
export * from './text-streams.js';
export * from './pipe-to-target.js';
export * from './redshift-shim.js';
export * from './conformance-streams.js';
export * from './golden-file.js';
