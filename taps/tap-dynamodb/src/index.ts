/**
 * tap-dynamodb: DynamoDB tables as Singer streams, scanned in parallel segments (in one process or
 * one segment per process), with lossless attribute mapping and schemas from the schema cache.
 * @packageDocumentation
 */
export * from './attribute-value.js';
export * from './scan-key.js';
export * from './throttle-retry.js';
export * from './scan-segment.js';
export * from './scan-state.js';
export * from './tap-config.js';
export * from './load-config.js';
export * from './dynamodb-tap.js';
export * from './segment-manifests.js';
