/**
 * Singer catalogs (types, building from declared streams, selection) and the tap schemas kept in `catalogs/<tap>/`.
 * @packageDocumentation
 */
export * from './catalog.js';
export * from './build-catalog.js';
export * from './apply-selection.js';
export * from './load-schema.js';
