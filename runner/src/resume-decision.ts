import type { CommittedState } from '@observes/protocol';
import type { StateRecord, StateWriteMeta } from '@observes/state';

/** Where a run resumes from. */
export type ResumeSource = 'store' | 'target' | 'operator' | 'none';

/** What {@link decideResume} chose. */
export interface ResumeDecision {
  source: ResumeSource;
  /** The state the tap gets (undefined: from scratch). */
  value: unknown;
  /** Sequence of that state: the runner passes it as `OBSERVES_STATE_SEQUENCE`; the target's next commit is above it. */
  sequence: number;
  /** Written to the store before the run starts, when it must be brought up to date. */
  storeUpdate?: { value: unknown; meta: StateWriteMeta };
  /** Why, for the log. */
  reason: string;
}

/**
 * Chooses the state a run resumes from, given the state store's record and the target's committed
 * state (undefined: none, or the target keeps no commit record). Pure.
 * - A state set or cleared by hand (`pending`) wins: it is taken up with a sequence above both, so the
 *   target's next commit, numbered above it, is newer than it from then on.
 * - Else the newer by sequence: the target's is newer after a crash between its commit and the
 *   runner's save; the store is then brought up to date.
 * - Else the store's (a target that lost its commit record, or keeps none, cannot be newer).
 */
export function decideResume(store: StateRecord | undefined, committed: CommittedState | undefined, runId: string): ResumeDecision {
  const storeSequence = store?.sequence ?? 0;
  if (store?.pending) {
    const sequence = Math.max(storeSequence, committed?.sequence ?? 0) + 1;
    const value = store.cleared ? undefined : store.value;
    return {
      source: 'operator',
      value,
      sequence,
      storeUpdate: { value, meta: { sequence, origin: 'operator', runId, pending: false, ...(store.cleared ? { cleared: true } : {}) } },
      reason: store.cleared ? 'the state was cleared by hand: starting from scratch' : 'the state was set by hand',
    };
  }
  if (committed && committed.sequence > storeSequence) {
    return {
      source: 'target',
      value: committed.value,
      sequence: committed.sequence,
      storeUpdate: {
        value: committed.value,
        meta: { sequence: committed.sequence, origin: 'target', ...(committed.run_id ? { runId: committed.run_id } : {}), pending: false },
      },
      reason: store
        ? `the target committed a newer state (sequence ${committed.sequence}) than the store holds (${storeSequence})`
        : 'the store holds no state; the target committed one',
    };
  }
  if (!store) return { source: 'none', value: undefined, sequence: 0, reason: 'no state yet: full extraction' };
  const value = store.cleared ? undefined : store.value;
  let reason = store.cleared ? 'the state was cleared: starting from scratch' : 'the store holds the newest state';
  if (committed && committed.sequence < storeSequence)
    reason = `the target's committed state (sequence ${committed.sequence}) is older than the store's (${storeSequence}): resuming from the store`;
  else if (committed) reason = 'the store and the target agree';
  return { source: 'store', value, sequence: storeSequence, reason };
}
