/**
 * tap-json: Singer SCHEMA and RECORD messages from raw JSON lines. Schema inference, value coercion
 * and the `observes.cache` schema cache live in @observes/catalogs.
 * @packageDocumentation
 */
export * from './json-tap.js';
export * from './tap-config.js';
