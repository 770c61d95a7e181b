/**
 * target-redshift: a Singer target for Amazon Redshift and PostgreSQL (and embedded PGlite).
 * The CLI is `bin/target-redshift.js`; these exports let other packages (the runner, the demo) run it in-process.
 * @packageDocumentation
 */
export { runTarget, type RunTargetOptions } from './target.js';
export { loadFromS3, type LoadFromS3Options } from './from-s3.js';
export { loadConfig, validateConfig, ConfigError, type TargetConfig, type S3StagingConfig } from './config.js';
export { LoadError } from './batch-loader.js';
export type { Dialect } from './dialects/dialect.js';
export { postgresDialect } from './dialects/postgres/sql.js';
export { redshiftDialect } from './dialects/redshift/sql.js';
export { DIALECTS, dialectFor } from './dialects/registry.js';
export type { DialectCapabilities, DialectDefinition } from './dialects/dialect.js';
