/** What made a run fail. */
export type FailureKind = 'config' | 'tap' | 'target' | 'job' | 'state' | 'locked' | 'timeout' | 'stopped';

/** Process exit code per failure kind (0 on success). Documented in the runner's README. */
export const EXIT_CODES: Record<FailureKind, number> = {
  config: 2,
  tap: 3,
  target: 4,
  state: 5,
  job: 6,
  locked: 7,
  timeout: 124,
  stopped: 143,
};

/** The outcome of one run unit (a tap → target run). */
export interface UnitResult {
  /** Unit name (pipeline, or pipeline.step[.index]). */
  name: string;
  /** Outcome. */
  status: 'succeeded' | 'failed';
  /** Why it failed (the first cause seen). */
  failure?: FailureKind;
  /** The failure in words, with the failing child's own last error (`target failed: exit code 2: invalid configuration: …`) or, for a child that logs plain text, its last line. */
  message?: string;
  /**
   * Whether another attempt may succeed: false for config errors, a child's exit code 2 (bad config, refused
   * credentials, a 4xx), and a child's exit code 1 whose last error entry says `retryable: false` (bad input, a load
   * the warehouse refused: the same data fails the same way). A child that says nothing is retried on exit code 1.
   */
  retryable?: boolean;
  /** Where the state lives. */
  stateUrl: string;
  /** Whether the state was loaded at start (false: the tap started from scratch). */
  stateFound: boolean;
  /** STATE values the target echoed that were saved. */
  statesSaved: number;
  /** Whether this run saved a state and the last STATE the target echoed is among the saved (false when it echoed none: see `statesSaved`). */
  stateSaved: boolean;
  /** RECORD lines per stream that went from the tap to the target (sent, not necessarily loaded). */
  records: Record<string, number>;
  /** Records per stream the target says it loaded (its `records_loaded` log field), when it says so. */
  recordsLoaded?: Record<string, number>;
  /** How the tap ended (`exit code 0`, `signal SIGTERM`…), if it ran. */
  tapExit?: string;
  /** How the target (or job) ended, if it ran. */
  targetExit?: string;
  /** The message of the tap's last error log entry, secrets masked. */
  tapError?: string;
  /** The message of the target's (or job's) last error log entry, secrets masked. */
  targetError?: string;
  /** The causes of the tap's last error (outermost first), when it logged any. */
  tapCauses?: string[];
  /** The causes of the target's (or job's) last error (outermost first), when it logged any. */
  targetCauses?: string[];
  /** ISO start time. */
  startedAt: string;
  /** Wall time in ms. */
  durationMs: number;
}

/** The outcome of one pipeline, over its attempts. */
export interface PipelineResult {
  name: string;
  /** The run's id (`OBSERVES_RUN_ID` of its programs). */
  runId: string;
  /** Pipeline file. */
  file: string;
  /** Outcome of the last attempt. */
  status: 'succeeded' | 'failed';
  /** Why the first failed unit failed. */
  failure?: FailureKind;
  /** Process exit code this pipeline alone would give. */
  exitCode: number;
  /** Attempts made (1 + retries used). */
  attempts: number;
  /** Each unit's latest result. */
  units: UnitResult[];
  /** ISO start time. */
  startedAt: string;
  /** Wall time in ms, retries included. */
  durationMs: number;
}

/** The JSON run report `observes run --report` writes. */
export interface RunReport {
  /** ISO time the command started. */
  startedAt: string;
  /** ISO time it finished. */
  finishedAt: string;
  /** Exit code of the whole command. */
  exitCode: number;
  pipelines: PipelineResult[];
}
