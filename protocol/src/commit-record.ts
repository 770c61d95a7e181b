import { serializeJson } from './exact-number.js';
import { parseJsonLossless } from './parse-message.js';

/**
 * The committed-state contract between targets and the runner. A target that keeps its own commit
 * record (target-redshift: the `_sdc_state` table, in the transaction of the rows; target-s3: its
 * manifest) numbers each committed state with a `sequence` and
 * - adds it to each STATE it echoes: `{"type":"STATE","value":…,"commit":{"sequence":12,"run_id":"…","committed_at":"…"}}`
 *   (other Singer tools ignore the extra member);
 * - prints the last committed state on request and exits: `--committed-state` prints the bare value
 *   (`{}` when none), ready for `tap --state <(target --config c.json --committed-state)`;
 *   `--commit-record` prints the {@link CommittedState} as one JSON line (`null` when none), for the runner.
 * Sequences are one clock per pipeline across the target and the runner's state store: the runner
 * passes the sequence of the state it resumes from in {@link STATE_SEQUENCE_ENV}, and the target
 * numbers its next commit above both that and its own last one ({@link nextSequence}).
 */

/** What a target records with each committed state. */
export interface CommitInfo {
  /** Commit clock of the pipeline: strictly increasing per pipeline id. */
  sequence: number;
  /** The run that committed it (`OBSERVES_RUN_ID`). */
  run_id?: string;
  /** ISO time of the commit. */
  committed_at?: string;
}

/** A committed state with its commit info, as `--commit-record` prints it. */
export interface CommittedState extends CommitInfo {
  /** The STATE value. */
  value: unknown;
}

/** Environment variable: the sequence of the state the runner resumed the tap from. */
export const STATE_SEQUENCE_ENV = 'OBSERVES_STATE_SEQUENCE';

/** The sequence of the next commit: one more than the larger of the target's last one and the runner's. */
export function nextSequence(lastCommitted: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const resumed = Number(env[STATE_SEQUENCE_ENV]);
  return Math.max(lastCommitted ?? 0, Number.isSafeInteger(resumed) && resumed > 0 ? resumed : 0) + 1;
}

/**
 * The pipeline id a target files its commit records under: `state_id` from its config, else the
 * runner's `OBSERVES_PIPELINE` (the unit name), else `fallback` (target-redshift: its schema).
 */
export function pipelineId(stateId: string | undefined, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  return stateId || env.OBSERVES_PIPELINE || fallback;
}

/** The commit info of a parsed STATE message, if it carries a valid one. */
export function commitOf(message: { commit?: unknown }): CommitInfo | undefined {
  const commit = message.commit as Partial<CommitInfo> | undefined;
  if (typeof commit !== 'object' || commit === null || !Number.isSafeInteger(commit.sequence) || commit.sequence! < 1) return undefined;
  return {
    sequence: commit.sequence!,
    ...(typeof commit.run_id === 'string' ? { run_id: commit.run_id } : {}),
    ...(typeof commit.committed_at === 'string' ? { committed_at: commit.committed_at } : {}),
  };
}

/** What `--committed-state` (`record` false) or `--commit-record` (`record` true) prints, with its newline. */
export function formatCommittedState(committed: CommittedState | undefined, record: boolean): string {
  if (record) return serializeJson(committed ?? null) + '\n';
  return serializeJson(committed?.value ?? {}) + '\n';
}

/**
 * Parses what `--commit-record` printed (the last non-empty line).
 * @throws Error when it is not `null` or a committed state with a sequence
 */
export function parseCommittedState(text: string): CommittedState | undefined {
  const line = text.trim().split('\n').at(-1) ?? '';
  const parsed = parseJsonLossless(line) as (CommittedState & { commit?: unknown }) | null;
  if (parsed === null) return undefined;
  const info = typeof parsed === 'object' ? commitOf({ commit: parsed }) : undefined;
  if (!info || !('value' in parsed)) throw new Error(`not a commit record: ${line.slice(0, 200)}`);
  return { ...info, value: parsed.value };
}
