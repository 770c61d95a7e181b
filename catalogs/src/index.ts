/**
 * Singer catalogs (types, building from declared streams, selection), the tap schemas kept in `catalogs/<tap>/`,
 * schema inference from raw JSON lines. The `observes.cache` schema cache is `@observes/catalogs/schema-cache` and
 * its jobs `@observes/catalogs/schema-cache-jobs`: not in the main entry, so taps do not load the S3 client at start.
 * @packageDocumentation
 */
export * from './catalog.js';
export * from './build-catalog.js';
export * from './apply-selection.js';
export * from './load-schema.js';
export * from './string-format.js';
export * from './schema-inference.js';
export * from './value-coercion.js';
export * from './schema-diff.js';
export * from './input-line.js';
export * from './json-lines-schemas.js';
