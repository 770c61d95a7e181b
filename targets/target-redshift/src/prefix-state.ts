/**
 * Which objects under an S3 prefix are still to load (`target-redshift --from-s3-prefix`), and the
 * state that remembers the ones loaded. Pure: the listing and the committed state in, the plan out.
 *
 * The state is committed with the rows of the files it names (one transaction), so a file is
 * loaded once: a run that died before its commit loads it again, one that committed does not. An
 * object is identified by its key and ETag: one rewritten under the same key (new content) is
 * loaded again. The state must stay small (the warehouse keeps it in a 64 KiB text): it lists the
 * newest {@link KEPT_OBJECTS} objects, and a `watermark` (the newest LastModified among those it no
 * longer lists) stands for the older ones: an object last modified at or before the watermark and
 * not listed counts as loaded. Only an object that becomes visible long after its LastModified (a
 * multipart upload started before the watermark and completed after) could be missed; the log says
 * when an unlisted object at or before the watermark is skipped.
 */

/** An object of the listing. */
export interface PrefixObject {
  /** Key in the bucket. */
  key: string;
  /** ETag as S3 gives it (quotes included or not: compared as given). */
  etag: string;
  /** LastModified, ISO 8601. */
  lastModified: string;
  /** Size in bytes. */
  size: number;
}

/** What `--from-s3-prefix` commits and echoes as its state. */
export interface PrefixState {
  /** `s3://bucket/prefix/` the state is about (another prefix's state is refused). */
  prefix: string;
  /** Objects loaded: key → `{etag, last_modified}`, the newest {@link KEPT_OBJECTS}. */
  loaded: Record<string, { etag: string; last_modified: string }>;
  /** Objects last modified at or before this (ISO) and not in `loaded` count as loaded. */
  watermark?: string;
  /** The JSON-lines object being loaded and its last line committed: a resumed run starts after it (same ETag only). */
  partial?: { key: string; etag: string; lines: number };
}

/** Records between two partial states of a JSON-lines object (at most `batch_size_rows`). */
export const PARTIAL_STATE_EVERY = 1000;

/** `state` without its `partial` (an empty state of `prefix` when there is none). Pure. */
export function withoutPartial(state: PrefixState | undefined, prefix: string): PrefixState {
  const { partial: _partial, ...rest } = state ?? { prefix, loaded: {} };
  return rest;
}

/** Objects a state lists before older ones give way to the watermark (about 150 bytes each). */
export const KEPT_OBJECTS = 300;

/** The data files of a listing, in load order (LastModified, then key); folders and empty objects left out. */
export function dataObjects(listing: PrefixObject[]): PrefixObject[] {
  return listing.filter((o) => !o.key.endsWith('/') && o.size > 0).sort((a, b) => a.lastModified.localeCompare(b.lastModified) || a.key.localeCompare(b.key));
}

/**
 * The objects to load, in order, and the objects skipped only because of the watermark.
 * @throws Error when the state is another prefix's
 */
export function objectsToLoad(
  prefix: string,
  listing: PrefixObject[],
  state: PrefixState | undefined,
): { load: PrefixObject[]; belowWatermark: PrefixObject[] } {
  if (state && state.prefix !== prefix) throw new Error(`the state is of ${state.prefix}, not ${prefix}: give each prefix its own state (state_id)`);
  const load: PrefixObject[] = [];
  const belowWatermark: PrefixObject[] = [];
  for (const o of dataObjects(listing)) {
    const known = state?.loaded[o.key];
    if (known && known.etag === o.etag) continue;
    if (!known && state?.watermark && o.lastModified <= state.watermark) {
      belowWatermark.push(o);
      continue;
    }
    load.push(o);
  }
  return { load, belowWatermark };
}

/** The state once `loaded` (in order) are committed, on top of `before`. Pure. */
export function afterLoadingObjects(prefix: string, before: PrefixState | undefined, loaded: PrefixObject[]): PrefixState {
  const entries = new Map(Object.entries(before?.loaded ?? {}));
  for (const o of loaded) {
    entries.delete(o.key);
    entries.set(o.key, { etag: o.etag, last_modified: o.lastModified });
  }
  const sorted = [...entries].sort(([ka, a], [kb, b]) => a.last_modified.localeCompare(b.last_modified) || ka.localeCompare(kb));
  const dropped = sorted.slice(0, Math.max(0, sorted.length - KEPT_OBJECTS));
  const kept = sorted.slice(dropped.length);
  const watermark = [before?.watermark, ...dropped.map(([, v]) => v.last_modified)]
    .filter((w): w is string => w !== undefined)
    .sort()
    .at(-1);
  return { prefix, loaded: Object.fromEntries(kept), ...(watermark ? { watermark } : {}) };
}

/** The file's format from its name: gzip or not, JSON lines or CSV (with a header row). */
export function fileFormat(key: string): { format: 'jsonl' | 'csv'; gzip: boolean } | undefined {
  const m = /\.(jsonl|ndjson|json|csv)(\.gz)?$/i.exec(key);
  if (!m) return undefined;
  return { format: m[1].toLowerCase() === 'csv' ? 'csv' : 'jsonl', gzip: m[2] !== undefined };
}
