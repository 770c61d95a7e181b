/**
 * tap-timedoctor: the Time Doctor 2 API (users, projects, tasks, worklogs, screenshot metadata), its monthly backups
 * and the full refresh that replays them. The local fake of the API for tests is at
 * `@observes/tap-timedoctor/testing/fake-timedoctor-api` (kept out of this entry point: it needs the dev-only testkit).
 * @packageDocumentation
 */
export { tap, fullRefreshTap, tapFor } from './tap.js';
export { tapForArgs } from './tap-for-args.js';
export * from './config.js';
export * from './date-windows.js';
export * from './refresh-plan.js';
export * from './extraction-range.js';
export * from './record-shapes.js';
export { BackupStore, backupHasWholeStream } from './backup-store.js';
export type { RunMode } from './activity-streams.js';
