import type { JsonSchema } from '@observes/protocol';

/**
 * The manifest target-s3 writes next to the files of a run, and `target-redshift --from-s3` loads.
 * It lists every file so a loader never relies on listing a prefix (which may hold other runs' files).
 * Stored as `s3://<bucket>/<prefix>/_manifests/<run_id>.json` (see target-s3's README).
 */
export interface S3Manifest {
  /** Format version of this manifest document. */
  manifest_version: 1;
  /** Identifier of the run that wrote the files (deterministic keys per run derive from it). */
  run_id: string;
  /** ISO time the manifest was written, after every file was uploaded. */
  created_at: string;
  /** File format: gzip JSON lines of raw records, or gzip CSV of flattened table rows. */
  format: 'jsonl.gz' | 'csv.gz';
  /** Streams written, by stream name. */
  streams: Record<string, S3ManifestStream>;
  /** The last STATE value whose records are all in the listed files, if any. */
  state?: unknown;
  /** The commit info of `state` (see `commit-record` in `@observes/protocol`): target-s3's manifest is its commit record. */
  commit?: { sequence: number; run_id?: string; committed_at?: string };
  /** Written at the end of the run's input: a rerun with the same run id starts over instead of continuing the files. */
  complete?: boolean;
}

/** One stream of an {@link S3Manifest}. */
export interface S3ManifestStream {
  /** The stream's last SCHEMA. */
  schema: JsonSchema;
  /** The stream's key properties (empty: append-only). */
  key_properties: string[];
  /** Full-table version, when the stream was sent with ACTIVATE_VERSION; the loader replaces the table. */
  version?: number;
  /** Files, in write order. */
  files: S3ManifestFile[];
}

/** One file of an {@link S3Manifest}. */
export interface S3ManifestFile {
  /** `s3://bucket/key` of the file. */
  url: string;
  /** Table the rows belong to: the stream name for `jsonl.gz`; the flattened (root or child) table name for `csv.gz`. */
  table: string;
  /** Rows (records for `jsonl.gz`) in the file. */
  rows: number;
  /** Compressed size in bytes. */
  bytes: number;
  /** Column names in file order (`csv.gz` has no header row); for `jsonl.gz`, the top-level properties seen. */
  columns: string[];
}
