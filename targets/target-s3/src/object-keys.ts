import { shortHash } from '@observes/target-core';

/** Characters kept as they are in a key segment; others are replaced so keys stay portable. */
const SAFE = /^[A-Za-z0-9_.=-]+$/;

/**
 * A stream or table name as one key segment: unchanged when it is already portable, else its unsafe
 * characters replaced by `_` and a short hash of the original appended, so distinct names stay distinct.
 */
export function keySegment(name: string): string {
  if (SAFE.test(name) && name !== '.' && name !== '..') return name;
  return `${name.replace(/[^A-Za-z0-9_.=-]/g, '_')}-${shortHash(name)}`;
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/** Where a run's files of one stream go: `<prefix>/<stream>/<run id or period>/`. */
export function streamFolder(prefix: string, stream: string, runOrPeriod: string): string {
  return join(prefix, keySegment(stream), runOrPeriod) + '/';
}

/**
 * Key of one file. Deterministic per run: `<folder>part-00000.jsonl.gz` for JSON lines,
 * `<folder><table>/part-00000.csv.gz` for CSV tables (the root and each child table).
 */
export function fileKey(folder: string, part: number, format: 'jsonl' | 'csv', table?: string): string {
  const name = `part-${String(part).padStart(5, '0')}.${format}.gz`;
  return format === 'csv' ? `${folder}${keySegment(table!)}/${name}` : `${folder}${name}`;
}

/** Key of a run's manifest: `<prefix>/_manifests/<run id or period>.json`. */
export function manifestKey(prefix: string, runOrPeriod: string): string {
  return join(prefix, '_manifests', `${runOrPeriod}.json`);
}

/**
 * Key of the commit head of a pipeline: `<prefix>/_manifests/_head/<pipeline id>.json`, naming the
 * manifest of its latest run (and the one before), so that a new run finds the last committed state.
 */
export function headKey(prefix: string, pipelineId: string): string {
  return join(prefix, '_manifests', '_head', `${keySegment(pipelineId)}.json`);
}
