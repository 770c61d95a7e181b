import { isExactNumber } from '@observes/protocol';
import type { Partition } from './tap-definition.js';

/** A replication bookmark, Singer style. */
export interface Bookmark {
  /** The field the value belongs to (a changed replication key invalidates the value). */
  replication_key?: string;
  /** Highest replication-key value whose records were all emitted. */
  replication_key_value?: string | number;
  /** Full-table streams: the version of the last completed load. */
  version?: number;
  /** Where the stream's own walk stands (`ctx.checkpoint({ progress })`), any JSON value. */
  progress?: unknown;
}

/** A stream's entry in the state: a bookmark, or one bookmark per partition id. */
export interface StreamBookmark extends Bookmark {
  partitions?: Record<string, Bookmark>;
}

/** The tap state: `{"bookmarks": {stream: {...} | {partitions: {id: {...}}}}}`; other top-level keys are kept. */
export interface TapState {
  bookmarks: Record<string, StreamBookmark>;
  [key: string]: unknown;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Orders two replication-key values: numbers numerically, ISO dates as instants (so `+02:00` and `Z` compare
 * right), anything else as text. Negative when `a < b`.
 */
export function compareReplicationValues(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string' && ISO_DATE.test(a) && ISO_DATE.test(b)) {
    const diff = Date.parse(a) - Date.parse(b);
    if (!Number.isNaN(diff)) return diff;
  }
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** A replication-key value as kept in state: strings and numbers; exact numbers as their decimal text. */
export function toBookmarkValue(value: unknown): string | number | undefined {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (isExactNumber(value)) return value.value;
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

/** Default partition id: `key=value` pairs in key order joined by `&` (`project_id=42`). */
export function defaultPartitionId(partition: Partition): string {
  return Object.keys(partition)
    .sort()
    .map((key) => {
      const value = partition[key];
      return `${key}=${encodeURIComponent(typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value))}`;
    })
    .join('&');
}

/** Reads a state file's content: a bare state, or a whole STATE message (`{"type":"STATE","value":...}`). */
export function normalizeState(input: unknown): TapState {
  let value = input;
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'STATE') value = (value as { value: unknown }).value;
  if (value === undefined || value === null) return { bookmarks: {} };
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error('state must be a JSON object like {"bookmarks": {...}}');
  const state = structuredClone(value) as TapState;
  if (typeof state.bookmarks !== 'object' || state.bookmarks === null || Array.isArray(state.bookmarks)) state.bookmarks = {};
  return state;
}

/** The run's bookmarks: starts from the input state, advanced only after the records they cover were written. */
export class BookmarkStore {
  private readonly state: TapState;

  constructor(initial: unknown) {
    this.state = normalizeState(initial);
  }

  /** The bookmark of a stream, or of one of its partitions. */
  get(stream: string, partitionId?: string): Bookmark | undefined {
    const entry = this.state.bookmarks[stream];
    return partitionId === undefined ? entry : entry?.partitions?.[partitionId];
  }

  /** The replication-key value to resume from, ignoring a bookmark kept on another key. */
  resumeValue(stream: string, partitionId: string | undefined, replicationKey: string): string | number | undefined {
    const bookmark = this.get(stream, partitionId);
    if (!bookmark || bookmark.replication_key_value === undefined) return undefined;
    return bookmark.replication_key === undefined || bookmark.replication_key === replicationKey ? bookmark.replication_key_value : undefined;
  }

  /** Sets a bookmark (merging with what is there). */
  set(stream: string, partitionId: string | undefined, bookmark: Bookmark): void {
    const entry = (this.state.bookmarks[stream] ??= {});
    if (partitionId === undefined) Object.assign(entry, bookmark);
    else Object.assign(((entry.partitions ??= {})[partitionId] ??= {}), bookmark);
  }

  /** Removes one field of a stream's or partition's bookmark. */
  unset(stream: string, partitionId: string | undefined, field: keyof Bookmark): void {
    const entry = this.state.bookmarks[stream];
    const bookmark = partitionId === undefined ? entry : entry?.partitions?.[partitionId];
    if (bookmark) delete bookmark[field];
  }

  /** A copy of the whole state, for a STATE message. */
  snapshot(): TapState {
    return structuredClone(this.state);
  }
}
