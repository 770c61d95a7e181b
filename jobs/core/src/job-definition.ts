import { withSecretNames, type JsonSchema, type Logger, type SettingSchema } from '@observes/protocol';

/**
 * Exit codes every job uses, so that a schedule, the runner's report and a person read them alike.
 * `problems` means the job ran to the end and found something that needs a person (failed Batch
 * jobs, groups that could not be billed); `error` that it could not do its work.
 */
export const JOB_EXIT = { ok: 0, error: 1, usage: 2, problems: 3 } as const;

/** What a job's run gets. */
export interface JobContext<Config> {
  /** The validated settings: `--config` file, then `<JOB_NAME>_<SETTING>` variables, then command-line flags, then defaults. */
  config: Config;
  /** JSON lines on stderr (text on a TTY), secrets redacted. */
  logger: Logger;
  /** The run's clock: `OBSERVES_FROZEN_TIME` (an ISO instant) freezes it for tests and reruns. */
  now(): Date;
  /** Writes human-readable output (the summary table) to stderr: stdout is left free, as under the runner it is read for STATE lines. */
  print(text: string): void;
}

/** What a job's run returns. */
export interface JobOutcome {
  /** One of {@link JOB_EXIT}. */
  exitCode: number;
  /** The machine-readable report, written by `--report <file>` (`-` for stdout). */
  report: unknown;
}

/** A job declared as data: its settings once, and what it does. */
export interface JobDefinition<Config> {
  /** Executable name, e.g. `compute-bills`; its settings' variables are `COMPUTE_BILLS_<SETTING>`. */
  name: string;
  /** Printed by `--version` and `--about`. */
  version: string;
  /** One paragraph for `--help` and `--about`. */
  description: string;
  /**
   * The settings, declared once with `setting` from `@observes/protocol`: a JSON Schema whose properties each have a
   * `description` (and `secret: true` for credentials, registered for redaction before anything is logged). Each
   * string, number, integer or boolean setting is also a command-line flag (`bills_bucket` → `--bills-bucket`).
   * Every problem is listed at start.
   */
  settings: JsonSchema;
  /** @deprecated mark the settings `secret: true` in {@link settings} instead. */
  secrets?: string[];
  /** Does the work; throw for an error (exit 1, message redacted). */
  run(ctx: JobContext<Config>): Promise<JobOutcome>;
}

/** Declares a job (an identity function that gives type inference). */
export function defineJob<Config>(job: JobDefinition<Config>): JobDefinition<Config> {
  return job;
}

/** The prefix of a job's environment overrides: `compute-bills` → `COMPUTE_BILLS_`. */
export function jobEnvPrefix(name: string): string {
  return `${name.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}_`;
}

/** A job's settings declaration (with the names of the deprecated `secrets` list marked `secret: true`). */
export function jobSettings(job: JobDefinition<unknown>): SettingSchema {
  return withSecretNames(job.settings, job.secrets);
}
