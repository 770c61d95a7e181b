import { CronExpressionParser } from 'cron-parser';
import { interpolateEnv } from './interpolate-env.js';
import type { PipelineSpec } from './pipeline-config.js';

/**
 * What the Terraform in `infra/` needs from the pipeline files, computed here rather than in HCL so
 * that it is tested: AWS `cron()` schedules from the pipelines' 5-field cron and AWS Batch job
 * sizes from their `resources`. Pure: `npm run infra:schedules` (infra/scripts/pipeline-jobs.mjs)
 * does the file I/O and writes the result to `infra/pipeline-jobs.auto.tfvars.json`.
 */

/** A schedule or resources value that AWS cannot take; `problems` lists every reason. */
export class BatchScheduleError extends Error {
  /** Each problem, prefixed with where it was found. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'BatchScheduleError';
    this.problems = problems;
  }
}

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const NAMES = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)\b/gi;

/**
 * Writes a set of values in few AWS cron tokens: `*`, `start/step`, or ranges and values.
 * @param names - names to write instead of numbers; named fields get no `/` (AWS's day-of-week has none)
 */
function compactField(values: number[], min: number, max: number, names?: readonly string[]): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length === max - min + 1) return '*';
  const name = (v: number) => (names ? names[v - min] : String(v));
  const step = sorted.length >= 3 && !names ? sorted[1] - sorted[0] : 0;
  // A progression that runs to the end of the field is exactly what AWS's `start/step` means.
  if (step > 1 && sorted.every((v, i) => v === sorted[0] + i * step) && sorted.at(-1)! + step > max) return `${name(sorted[0])}/${step}`;
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    if (j - i >= 2) parts.push(`${name(sorted[i])}-${name(sorted[j])}`);
    else for (let k = i; k <= j; k++) parts.push(name(sorted[k]));
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Converts a 5-field cron expression (minute hour day-of-month month day-of-week, UTC, as
 * cron-parser reads it) to the AWS EventBridge expression
 * `cron(minutes hours day-of-month month day-of-week year)` that fires at exactly the same minutes.
 *
 * AWS needs `?` in one of the two day fields and numbers Sunday 1 (cron: 0 or 7), so days of the
 * week are written as names.
 * @throws BatchScheduleError when the expression is not plain 5-field cron (`L`, `W`, `#`, `H`,
 * macros and seconds have no portable meaning here), or restricts both day fields: cron then runs
 * on days matching either (cron-parser and Vixie cron agree), which AWS cannot express.
 */
export function toAwsCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new BatchScheduleError([`"${cron}": needs 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`]);
  const odd = fields.find((f) => !/^[0-9*?,/-]+$/.test(f.replace(NAMES, '0')));
  if (odd) throw new BatchScheduleError([`"${cron}": field "${odd}" uses syntax beyond plain cron (numbers, month and day names, * ? , - /)`]);
  let parsed: ReturnType<typeof CronExpressionParser.parse>['fields'];
  try {
    parsed = CronExpressionParser.parse(cron).fields;
  } catch (error) {
    throw new BatchScheduleError([`"${cron}": not a cron expression: ${(error as Error).message}`]);
  }
  const numbers = (values: readonly (number | string)[]) => values.map(Number);
  const minutes = compactField(numbers(parsed.minute.values), 0, 59);
  const hours = compactField(numbers(parsed.hour.values), 0, 23);
  const months = compactField(numbers(parsed.month.values), 1, 12);
  const daysOfMonth = compactField(numbers(parsed.dayOfMonth.values), 1, 31);
  // cron's 0..7 (0 and 7 both Sunday) as 0..6, named so AWS's 1-based numbering cannot be confused.
  const daysOfWeek = compactField(
    numbers(parsed.dayOfWeek.values).map((d) => d % 7),
    0,
    6,
    DAY_NAMES,
  );
  const expression = (dom: string, dow: string) => `cron(${minutes} ${hours} ${dom} ${months} ${dow} *)`;
  const domRestricted = !parsed.dayOfMonth.isWildcard;
  const dowRestricted = !parsed.dayOfWeek.isWildcard;
  if (domRestricted && dowRestricted) {
    // Cron runs on days matching either field. Two AWS rules would run twice on days matching both.
    if (daysOfMonth === '*' || daysOfWeek === '*') return expression('*', '?');
    throw new BatchScheduleError([
      `"${cron}": restricts both day-of-month and day-of-week (cron runs on days matching either); AWS cron takes only one of them: restrict one, or split the pipeline's schedule`,
    ]);
  }
  if (dowRestricted) return expression('?', daysOfWeek);
  return expression(daysOfMonth, '?');
}

/** A pipeline's `resources` as written in its file. */
export type PipelineResources = NonNullable<PipelineSpec['resources']>;

/** Limits of {@link toBatchJobSize}: what the compute environment's instances can hold. */
export interface BatchLimits {
  /** Largest vCPU count a job may ask for (default 8). */
  maxVcpu?: number;
  /** Largest memory a job may ask for in MiB (default 15360, what an 8 vCPU/16 GiB instance leaves). */
  maxMemoryMiB?: number;
}

/** An AWS Batch job definition's size, retry and timeout settings (snake_case: read by Terraform). */
export interface BatchJobSize {
  /** `VCPU` resource requirement. */
  vcpu: number;
  /** `MEMORY` resource requirement in MiB. */
  memory_mib: number;
  /** `timeout.attemptDurationSeconds`: the runner's timeout plus {@link RUNNER_STOP_MARGIN_SECONDS}. */
  attempt_duration_seconds: number;
  /** `retryStrategy.attempts`; infra retries them only when the host was lost. */
  attempts: number;
}

/** Size of a pipeline without `resources` (the smallest ETL size). */
export const DEFAULT_RESOURCES = { vcpu: 1, memory: 1900 } as const;
/** Batch timeout of a pipeline without `resources.timeout`: a hung run still ends within a day. */
export const DEFAULT_BATCH_TIMEOUT_SECONDS = 86_400;
/**
 * Seconds Batch waits beyond `resources.timeout`: the runner stops itself at the timeout (SIGTERM to
 * its children, SIGKILL after its 10 s grace, saving echoed states), so Batch's kill is only a backstop.
 */
export const RUNNER_STOP_MARGIN_SECONDS = 120;
/** AWS Batch's limits: at most 10 attempts, attempts of at least 60 seconds. */
const MAX_ATTEMPTS = 10;
const MIN_ATTEMPT_SECONDS = 60;

/**
 * Maps a pipeline's `resources` to Batch job settings. The runner retries failed runs itself
 * (resuming from the saved state) and enforces `timeout` over all attempts, so Batch's attempts
 * are `retries + 1` spent only on lost hosts, and its timeout is a backstop after the runner's.
 * @throws BatchScheduleError listing every value Batch's EC2 compute environment cannot run.
 */
export function toBatchJobSize(resources: PipelineResources = {}, limits: BatchLimits = {}): BatchJobSize {
  const { maxVcpu = 8, maxMemoryMiB = 15_360 } = limits;
  const vcpu = resources.vcpu ?? DEFAULT_RESOURCES.vcpu;
  const memory = resources.memory ?? DEFAULT_RESOURCES.memory;
  const retries = resources.retries ?? 0;
  const problems: string[] = [];
  if (!Number.isInteger(vcpu) || vcpu < 1 || vcpu > maxVcpu)
    problems.push(`resources.vcpu: ${vcpu} is not a whole number of vCPUs from 1 to ${maxVcpu} (EC2 Batch jobs reserve whole vCPUs)`);
  if (!Number.isInteger(memory) || memory < 4 || memory > maxMemoryMiB)
    problems.push(`resources.memory: ${memory} MiB is not a whole number from 4 to ${maxMemoryMiB}`);
  if (!Number.isInteger(retries) || retries < 0 || retries + 1 > MAX_ATTEMPTS)
    problems.push(`resources.retries: ${retries} is not 0 to ${MAX_ATTEMPTS - 1} (Batch allows at most ${MAX_ATTEMPTS} attempts)`);
  if (resources.timeout !== undefined && (!Number.isInteger(resources.timeout) || resources.timeout < 1))
    problems.push(`resources.timeout: ${resources.timeout} is not a positive number of seconds`);
  if (problems.length > 0) throw new BatchScheduleError(problems);
  const attemptSeconds = resources.timeout === undefined ? DEFAULT_BATCH_TIMEOUT_SECONDS : resources.timeout + RUNNER_STOP_MARGIN_SECONDS;
  return { vcpu, memory_mib: memory, attempt_duration_seconds: Math.max(MIN_ATTEMPT_SECONDS, attemptSeconds), attempts: retries + 1 };
}

/** Variables the runner sets itself (its run id, array copy index and size, pipeline name). */
const RUNNER_VARIABLE = /^OBSERVES_/;

/**
 * Environment variables a pipeline needs from its job: every `${NAME}` without a default in the
 * pipeline and its config files, except those the runner provides (`OBSERVES_*`).
 * @param configFiles - parsed contents of the config files the pipeline names by path
 */
export function requiredVariables(spec: PipelineSpec, configFiles: unknown[] = []): string[] {
  const names = interpolateEnv([spec, ...configFiles], {}).missing.map((m) => m.name);
  return [...new Set(names)].filter((n) => !RUNNER_VARIABLE.test(n)).sort();
}

/** What Terraform reads for one pipeline (one entry of `pipeline_jobs`). */
export interface PipelineJob extends BatchJobSize {
  /** The pipeline file's path relative to the pipelines directory. */
  file: string;
  /** The file's `schedule` and `resources` as written: Terraform compares them with the file to refuse a stale entry. */
  source: { schedule: string | null; vcpu: number | null; memory: number | null; timeout: number | null; retries: number | null };
  /** EventBridge `cron()` expression (null without a schedule: the job is submitted by hand). */
  schedule_expression: string | null;
  /** Variables the job must receive (secrets from SOPS or plain values). */
  required_env: string[];
  /**
   * The pipeline's steps in order, each its own Batch job (`observes run <file> --step <name>`); an
   * `array_size` above 1 makes it an array job. Empty: the pipeline is one job.
   */
  steps: { name: string; array_size: number }[];
  /** Warehouse schemas its target-redshift programs write (their `schema`, defaults applied): its ETL database user owns them. */
  warehouse_schemas: string[];
}

/** A pipeline file, parsed, with the config files it names. */
export interface PipelineSource {
  /** Path relative to the pipelines directory. */
  file: string;
  /** The validated pipeline. */
  spec: PipelineSpec;
  /** Parsed config files named by path in the pipeline, by that path (or as a list, when only their variables matter). */
  configFiles?: unknown[] | Record<string, unknown>;
}

/** Batch job definition names take letters, digits, hyphens and underscores, at most 128 characters (100 here: the prefix and the step come on top). */
const BATCH_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/** What a program of a pipeline file is: its command's base name and its config (inline or read from its file). */
function programs(spec: PipelineSpec, configs: Record<string, unknown>): { command: string; config: unknown }[] {
  const all = [spec.target, ...(spec.steps ?? []).flatMap((s) => (s.job ? [s.job] : [{ ...spec.target, ...s.target }]))];
  // A config file not given cannot be looked into (callers that only need the variables give none).
  return all
    .filter((p) => p?.command && (typeof p.config !== 'string' || p.config in configs))
    .map((p) => {
      const argv0 = typeof p!.command === 'string' ? p!.command : p!.command![0];
      return { command: argv0.split('/').pop()!, config: typeof p!.config === 'string' ? configs[p!.config] : p!.config };
    });
}

/**
 * The schemas a pipeline's target-redshift programs write: each one's `schema` with `${VAR:-default}`
 * defaults applied (the target's own default is `public`, which no pipeline may own).
 * @throws BatchScheduleError when a schema cannot be known from the file alone
 */
export function warehouseSchemas(spec: PipelineSpec, configs: Record<string, unknown> = {}): string[] {
  const schemas = new Set<string>();
  const problems: string[] = [];
  for (const { command, config } of programs(spec, configs)) {
    if (command !== 'target-redshift') continue;
    const raw = (config as { schema?: unknown } | undefined)?.schema;
    const { value, missing } = interpolateEnv(raw ?? 'public', {});
    if (missing.length > 0 || typeof value !== 'string')
      problems.push(
        `target-redshift schema ${JSON.stringify(raw)}: give the variable a default (\${VAR:-schema}) so infra/ knows which schema the pipeline's database user owns`,
      );
    else if (value === 'public') problems.push('target-redshift writes the public schema: give it a schema of its own (its database user owns it)');
    else schemas.add(value.toLowerCase());
  }
  if (problems.length > 0) throw new BatchScheduleError(problems);
  return [...schemas].sort();
}

/** The Batch jobs of a pipeline's steps, checking the names Batch will carry. */
function batchSteps(spec: PipelineSpec): PipelineJob['steps'] {
  const problems: string[] = [];
  if (!BATCH_NAME.test(spec.name))
    problems.push(`name "${spec.name}": Batch job names take letters, digits, - and _ only (at most 100 here, to leave room for the prefix and the step)`);
  const steps = (spec.steps ?? []).map((s) => {
    if (!BATCH_NAME.test(s.name)) problems.push(`step "${s.name}": Batch job names take letters, digits, - and _ only`);
    const size = s.array_size ?? 1;
    if (size > 10_000) problems.push(`step "${s.name}": array_size ${size} is more than a Batch array job's 10000 children`);
    return { name: s.name, array_size: size };
  });
  if (problems.length > 0) throw new BatchScheduleError(problems);
  return steps;
}

/**
 * Builds the `pipeline_jobs` Terraform variable for every pipeline, keyed by pipeline name.
 * @throws BatchScheduleError listing every problem of every pipeline (prefixed with its file), and
 * duplicate names (Terraform keys job definitions by name).
 */
export function pipelineJobs(sources: PipelineSource[], limits: BatchLimits = {}): Record<string, PipelineJob> {
  const jobs: Record<string, PipelineJob> = {};
  const problems: string[] = [];
  const fileOf = new Map<string, string>();
  const byName = (a: PipelineSource, b: PipelineSource) => a.spec.name.localeCompare(b.spec.name) || a.file.localeCompare(b.file);
  for (const { file, spec, configFiles } of [...sources].sort(byName)) {
    if (fileOf.has(spec.name)) {
      problems.push(`${file}: pipeline name "${spec.name}" is also used by ${fileOf.get(spec.name)}`);
      continue;
    }
    fileOf.set(spec.name, file);
    const collect = <T>(convert: () => T): T | undefined => {
      try {
        return convert();
      } catch (error) {
        if (!(error instanceof BatchScheduleError)) throw error;
        problems.push(...error.problems.map((p) => `${file}: ${p}`));
        return undefined;
      }
    };
    const r = spec.resources ?? {};
    const scheduleExpression = collect(() => (spec.schedule ? toAwsCron(spec.schedule) : null));
    const size = collect(() => toBatchJobSize(r, limits));
    const steps = collect(() => batchSteps(spec));
    const configs = Array.isArray(configFiles) ? {} : (configFiles ?? {});
    const schemas = collect(() => warehouseSchemas(spec, configs));
    if (scheduleExpression === undefined || !size || !steps || !schemas) continue;
    jobs[spec.name] = {
      file,
      source: { schedule: spec.schedule ?? null, vcpu: r.vcpu ?? null, memory: r.memory ?? null, timeout: r.timeout ?? null, retries: r.retries ?? null },
      schedule_expression: scheduleExpression,
      ...size,
      required_env: requiredVariables(spec, Array.isArray(configFiles) ? configFiles : Object.values(configFiles ?? {})),
      steps,
      warehouse_schemas: schemas,
    };
  }
  if (problems.length > 0) throw new BatchScheduleError(problems);
  return jobs;
}

/** The text of `infra/pipeline-jobs.auto.tfvars.json` (stable: pipelines in name order, trailing newline). */
export function formatPipelineJobsFile(jobs: Record<string, PipelineJob>): string {
  return `${JSON.stringify({ pipeline_jobs: jobs }, null, 2)}\n`;
}
