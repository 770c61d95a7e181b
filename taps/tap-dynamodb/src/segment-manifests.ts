import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseJsonLossless } from '@observes/protocol';
import { parseS3Url } from '@observes/state';
import type { S3Manifest } from '@observes/target-core';
import type { TableBookmark } from './scan-state.js';

/** Placeholder of the segment number in a manifest URL template. */
export const SEGMENT_PLACEHOLDER = '{segment}';

/** One segment that phase 2 cannot load yet. */
export interface MissingSegment {
  /** Segment number, from 0. */
  segment: number;
  /** Where its manifest should be. */
  url: string;
  /** Why it is not complete. */
  reason: string;
}

/** Result of {@link checkSegmentManifests}. */
export interface SegmentCheck {
  /** Manifest URLs of every segment, in segment order (what `target-redshift --from-s3` loads). */
  manifests: string[];
  /** Segments whose manifest is absent, whose scan did not finish or whose files miss records; empty when phase 2 may load. */
  missing: MissingSegment[];
  /** The manifests read, by segment (undefined where absent). */
  documents: (S3Manifest | undefined)[];
}

/** The manifest URL of one segment: `{segment}` in the template replaced by its number. */
export function segmentManifestUrl(template: string, segment: number): string {
  if (!template.includes(SEGMENT_PLACEHOLDER)) throw new Error(`manifest URL template ${JSON.stringify(template)} has no ${SEGMENT_PLACEHOLDER} placeholder`);
  return template.split(SEGMENT_PLACEHOLDER).join(String(segment));
}

/**
 * Why a segment's manifest does not prove the segment is staged whole, or undefined when it does:
 * - the manifest's `state` (the last STATE whose records are all in its files) must show the segment
 *   `done` for every table, scanned in `totalSegments` segments (target-s3 rewrites its manifest while
 *   a run goes, so a manifest alone only proves that some files were stored);
 * - its files must hold at least the `records` the scan emitted: fewer means part of the scan went
 *   to other files (a segment resumed into another run), which a load would silently miss.
 * Pure.
 */
export function segmentProblem(
  manifest: Pick<S3Manifest, 'streams' | 'state'> | undefined,
  segment: number,
  totalSegments: number,
  tables: string[],
): string | undefined {
  if (!manifest) return 'no manifest';
  const bookmarks = (manifest.state as { bookmarks?: Record<string, TableBookmark> } | undefined)?.bookmarks ?? {};
  const unfinished: string[] = [];
  const short: string[] = [];
  for (const table of tables) {
    const bookmark = bookmarks[table];
    const own = bookmark?.total_segments === totalSegments ? bookmark.segments?.[String(segment)] : undefined;
    if (own?.done !== true) {
      unfinished.push(JSON.stringify(table));
      continue;
    }
    const staged = (manifest.streams?.[table]?.files ?? []).reduce((sum, file) => sum + file.rows, 0);
    if (own.records !== undefined && staged < own.records) short.push(`${JSON.stringify(table)} (${staged} of ${own.records} records staged)`);
  }
  if (unfinished.length > 0) return `scan not finished for ${unfinished.join(', ')}`;
  return short.length === 0 ? undefined : `files miss records of ${short.join(', ')}: rerun the segment without its state`;
}

function location(url: string): { Bucket: string; Key: string } {
  const { bucket, key } = parseS3Url(url);
  return { Bucket: bucket, Key: key };
}

async function readManifest(client: S3Client, url: string): Promise<S3Manifest | undefined> {
  try {
    const object = await client.send(new GetObjectCommand(location(url)));
    return parseJsonLossless(await object.Body!.transformToString('utf8')) as S3Manifest;
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/**
 * Phase 2's gate: reads the manifest of every segment (`template` with `{segment}`, e.g.
 * `s3://observes.etl-data/dynamodb/segment-{segment}/_manifests/2026-11-28.json`) and reports the
 * segments that are missing or unfinished. Load only when `missing` is empty.
 */
export async function checkSegmentManifests(client: S3Client, template: string, totalSegments: number, tables: string[]): Promise<SegmentCheck> {
  const manifests = Array.from({ length: totalSegments }, (_, segment) => segmentManifestUrl(template, segment));
  const documents = await Promise.all(manifests.map((url) => readManifest(client, url)));
  const missing: MissingSegment[] = [];
  documents.forEach((manifest, segment) => {
    const reason = segmentProblem(manifest, segment, totalSegments, tables);
    if (reason) missing.push({ segment, url: manifests[segment], reason });
  });
  return { manifests, missing, documents };
}

/** Identity and time of a combined manifest. */
export interface CombineOptions {
  /** `run_id` of the combined manifest. */
  runId: string;
  /** Table version given to every stream: the loader replaces each table with the combined files. */
  version: number;
  /** ISO time written as `created_at`. */
  createdAt: string;
}

/**
 * One manifest listing the files of every segment, stream by stream, with a table version so that
 * `target-redshift --from-s3` replaces each table with all its parts at once. Its state merges the
 * segments' bookmarks (every segment done). Pure.
 * @throws Error when the segments were written in different formats or a stream's schema differs between them
 */
export function combineSegmentManifests(manifests: S3Manifest[], options: CombineOptions): S3Manifest {
  const format = manifests[0]?.format;
  if (!format) throw new Error('no segment manifest to combine');
  const streams: S3Manifest['streams'] = {};
  const bookmarks: Record<string, TableBookmark> = {};
  for (const manifest of manifests) {
    if (manifest.format !== format) throw new Error(`segment manifests mix formats ${format} and ${manifest.format}`);
    for (const [name, stream] of Object.entries(manifest.streams)) {
      const combined = (streams[name] ??= { schema: stream.schema, key_properties: stream.key_properties, version: options.version, files: [] });
      if (JSON.stringify(combined.schema) !== JSON.stringify(stream.schema))
        throw new Error(`stream ${JSON.stringify(name)} has different schemas in different segments`);
      combined.files.push(...stream.files);
    }
    const segmentBookmarks = (manifest.state as { bookmarks?: Record<string, TableBookmark> } | undefined)?.bookmarks ?? {};
    for (const [table, bookmark] of Object.entries(segmentBookmarks)) {
      const merged = (bookmarks[table] ??= { total_segments: bookmark.total_segments, segments: {} });
      Object.assign(merged.segments, bookmark.segments);
    }
  }
  return { manifest_version: 1, run_id: options.runId, created_at: options.createdAt, format, streams, state: { bookmarks } };
}

/** Stores a manifest at its `s3://` URL. */
export async function writeManifest(client: S3Client, url: string, manifest: S3Manifest): Promise<void> {
  await client.send(new PutObjectCommand({ ...location(url), Body: JSON.stringify(manifest, null, 2), ContentType: 'application/json' }));
}
