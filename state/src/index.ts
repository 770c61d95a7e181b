/**
 * The state store: a pipeline's Singer state addressed by URL (`s3://` or `file://`), written
 * atomically with its commit sequence, with history and a lock; plus the S3 client and retry helpers
 * the runner and target-s3 share.
 * @packageDocumentation
 */
export * from './state-store.js';
export * from './state-json.js';
export * from './state-blobs.js';
export * from './state-lock.js';
export * from './blob-state-store.js';
export * from './file-state-store.js';
export * from './s3-state-store.js';
export * from './open-state-store.js';
export * from './s3-client.js';
export * from './aws-client-defaults.js';
export * from './retry.js';
export * from './run-id.js';
