export * from './s3-manifest.js';
