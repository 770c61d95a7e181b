import { InputError, parseJsonLossless, serializeJson } from '@observes/protocol';

/**
 * Who wrote a state: `target` (a commit record the target echoed with its STATE), `runner` (a STATE
 * from a program that reports no commit record, numbered by the runner), `operator` (`observes state
 * set|clear`, or any write without a run), `legacy` (a file written before records had sequences).
 */
export type StateOrigin = 'target' | 'runner' | 'operator' | 'legacy';

/**
 * A stored state with what orders it. `sequence` is the pipeline's commit clock: it increases with
 * every state committed, across runs and across the state store and the target's own commit record,
 * so the runner can tell which of the two is newer (see the runner's README, "Resuming from the truth").
 */
export interface StateRecord {
  /** The Singer state value; absent when `cleared`. Numbers a double cannot hold are `ExactNumber`s. */
  value?: unknown;
  /** Commit clock: 0 for legacy files, else ≥ 1. */
  sequence: number;
  /** Who wrote it. */
  origin: StateOrigin;
  /** The run that committed (or consumed) it, when known. */
  runId?: string;
  /** Set by hand and not yet taken up by a run: the next run resumes from it whatever the target says. */
  pending?: boolean;
  /** `observes state clear`: the next run starts from scratch. */
  cleared?: boolean;
  /** ISO time it was stored. */
  savedAt?: string;
}

/** Marks a stored document as a {@link StateRecord} (anything else is a bare legacy state value). */
const FORMAT_KEY = 'observes_state';

/** Serializes a state value as one JSON line; numbers a double cannot hold stay exact. */
export function encodeState(value: unknown): string {
  return serializeJson(value) + '\n';
}

/**
 * Parses stored JSON text.
 * @param where - the URL, named in the error when the text is not JSON
 */
export function decodeState(text: string, where: string): unknown {
  try {
    return parseJsonLossless(text);
  } catch (error) {
    throw new InputError(`state at ${where} is not valid JSON`, { cause: error });
  }
}

/** The stored text of a record: one JSON line, `{"observes_state":1,"sequence":…,"origin":…,…,"value":…}`. */
export function encodeStateRecord(record: StateRecord): string {
  const { value, sequence, origin, runId, pending, cleared, savedAt } = record;
  return encodeState({
    [FORMAT_KEY]: 1,
    sequence,
    origin,
    ...(runId !== undefined ? { run_id: runId } : {}),
    ...(pending ? { pending: true } : {}),
    ...(cleared ? { cleared: true } : {}),
    ...(savedAt !== undefined ? { saved_at: savedAt } : {}),
    ...(cleared ? {} : { value }),
  });
}

/**
 * Parses stored text into a record. A document without the format marker is a bare state value
 * written before records existed: sequence 0, origin `legacy`.
 */
export function decodeStateRecord(text: string, where: string): StateRecord {
  const doc = decodeState(text, where) as Record<string, unknown> | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || doc[FORMAT_KEY] === undefined) return { value: doc, sequence: 0, origin: 'legacy' };
  const sequence = Number(doc.sequence);
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new Error(`state at ${where} has a bad sequence ${JSON.stringify(doc.sequence)}`);
  return {
    sequence,
    origin: (doc.origin as StateOrigin) ?? 'legacy',
    ...(typeof doc.run_id === 'string' ? { runId: doc.run_id } : {}),
    ...(doc.pending === true ? { pending: true } : {}),
    ...(doc.cleared === true ? { cleared: true } : { value: doc.value }),
    ...(typeof doc.saved_at === 'string' ? { savedAt: doc.saved_at } : {}),
  };
}
