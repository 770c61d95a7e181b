/**
 * Settings declared once per program, and everything derived from the declaration: the type, validation,
 * environment overrides, `--help`, `--about` and the README's settings table.
 * @packageDocumentation
 */
export * from './setting-builder.js';
export * from './config-problems.js';
export * from './env-overrides.js';
export * from './load-settings.js';
export * from './settings-docs.js';
export * from './setting-flags.js';
export * from './program-about.js';
export * from './settings-docs-files.js';
