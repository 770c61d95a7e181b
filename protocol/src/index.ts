/**
 * The Singer protocol: message types, a lossless streaming reader, a backpressure-aware writer,
 * and checks that name the line, the stream and the problem.
 * @packageDocumentation
 */
export * from './messages.js';
export * from './exact-number.js';
export * from './errors.js';
export * from './error-text.js';
export * from './protocol-error.js';
export * from './parse-message.js';
export * from './line-reader.js';
export * from './message-reader.js';
export * from './message-writer.js';
export * from './record-validator.js';
export * from './stream-checker.js';
export * from './secret-redaction.js';
export * from './date-time-format.js';
export * from './text-check.js';
export * from './json-pointer.js';
export * from './logger.js';
export * from './program-exit.js';
export * from './commit-record.js';
export * from './runner-link.js';
export * from './settings/index.js';
