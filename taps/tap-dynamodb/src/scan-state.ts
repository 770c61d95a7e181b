import type { StateKey } from './scan-key.js';

/** Where one segment of a table scan is, in the state. */
export interface SegmentBookmark {
  /** Key after which the segment resumes; absent before the first page. */
  last_evaluated_key?: StateKey;
  /** True once the segment scanned its last page. */
  done?: boolean;
  /**
   * Records the segment emitted since its scan started, resumed runs included: phase 2 compares it
   * with the rows staged for the segment, so a segment resumed into another set of files is caught.
   */
  records?: number;
}

/** A table's bookmark: `bookmarks.<table>` in the tap's state. */
export interface TableBookmark {
  /** Segments the scan was split into; a different number makes the positions meaningless. */
  total_segments: number;
  /** Table version of the scan (full-table replication), kept so a resumed scan continues the same version. */
  version?: number;
  /** Bookmark of each segment, by segment number. */
  segments: Record<string, SegmentBookmark>;
}

/** What to do with one segment this run. */
export interface SegmentPlan {
  segment: number;
  /** Resume after this key; absent to start at the beginning of the segment. */
  startKey?: StateKey;
  /** Records emitted before `startKey` in this scan (0 for a new scan). */
  records: number;
  /** The segment already finished in this scan: nothing to do. */
  skip: boolean;
}

/** How a run continues a table's scan. */
export interface TablePlan {
  /** True when this run starts a new scan (no usable bookmark, or the last scan finished). */
  fresh: boolean;
  /** The bookmark to start from: the state's when resuming, a new empty one when fresh. */
  bookmark: TableBookmark;
  plans: SegmentPlan[];
}

function asBookmark(value: unknown, totalSegments: number): TableBookmark | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const bookmark = value as Partial<TableBookmark>;
  if (bookmark.total_segments !== totalSegments || typeof bookmark.segments !== 'object' || bookmark.segments === null) return undefined;
  return bookmark as TableBookmark;
}

/**
 * Decides where the `segments` this run owns start, from the table's bookmark in the state.
 * - No bookmark, or one for another number of segments: a fresh scan of every segment.
 * - Every owned segment done: the last scan finished, so this run is a fresh scan (a new full refresh).
 * - Otherwise resume: done segments are skipped, the others continue after their `last_evaluated_key`.
 *
 * Pure. A fresh plan keeps the other segments' bookmarks (another process may own them) only when the
 * bookmark had the same number of segments.
 */
export function planTable(state: unknown, totalSegments: number, segments: number[]): TablePlan {
  const previous = asBookmark(state, totalSegments);
  const owned = segments.map((s) => previous?.segments[String(s)]);
  if (!previous || owned.every((b) => b?.done === true)) {
    const others: Record<string, SegmentBookmark> = {};
    for (const [key, value] of Object.entries(previous?.segments ?? {})) if (!segments.includes(Number(key))) others[key] = value;
    return {
      fresh: true,
      bookmark: { total_segments: totalSegments, segments: others },
      plans: segments.map((segment) => ({ segment, skip: false, records: 0 })),
    };
  }
  const plans = segments.map((segment, i) => {
    const b = owned[i];
    return { segment, skip: b?.done === true, startKey: b?.done ? undefined : b?.last_evaluated_key, records: b?.records ?? 0 };
  });
  return { fresh: false, bookmark: { ...previous, segments: { ...previous.segments } }, plans };
}
