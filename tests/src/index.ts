/**
 * Real-service test harness (PostgreSQL, S3, DynamoDB, fake HTTP APIs), canonical Singer streams,
 * and the standard `targetSuite`/`tapSuite` every tap and target runs.
 * @packageDocumentation
 */
export * from './target-suite.js';
