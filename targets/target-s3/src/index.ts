/**
 * target-s3: a Singer target writing gzip JSON lines or flattened CSV files and a manifest to S3.
 * @packageDocumentation
 */
export * from './config.js';
export * from './object-keys.js';
export * from './record-encoder.js';
export * from './gzip-upload.js';
export * from './s3-target.js';
export * from './manifest-reader.js';
