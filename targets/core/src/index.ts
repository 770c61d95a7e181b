/**
 * Shared target core: warehouse identifiers, JSON Schema → column types, the flattening of nested
 * records into root and child tables, and fitting batches to existing tables. Pure, golden-tested.
 * @packageDocumentation
 */
export * from './warehouse-limits.js';
export * from './identifier.js';
export * from './column-type.js';
export * from './value-fit.js';
export * from './stream-plan.js';
export * from './flatten-record.js';
export * from './row-id.js';
export * from './table-layout.js';
export * from './s3-manifest.js';
export * from './undeclared-fields.js';
export * from './column-locator.js';
export * from './target-runner.js';
export * from './record-encoding-pool.js';
