/**
 * tap-json: Singer SCHEMA and RECORD messages from raw JSON lines, with schema inference and the
 * `observes.cache` schema cache.
 * @packageDocumentation
 */
export * from './string-format.js';
export * from './schema-inference.js';
export * from './value-coercion.js';
export * from './schema-diff.js';
export * from './schema-cache.js';
export * from './input-line.js';
export * from './json-tap.js';
export * from './schema-commands.js';
export * from './tap-config.js';
