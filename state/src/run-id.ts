/**
 * A run id made now, e.g. `20261128T120102Z-k3x9qa`: sortable by time and unique enough for S3 keys
 * and manifest names. The runner gives one to every program of a run as `OBSERVES_RUN_ID`.
 */
export function newRunId(now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(36).slice(2, 8)}`;
}
