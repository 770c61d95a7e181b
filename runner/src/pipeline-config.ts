import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { parse as parseYaml } from 'yaml';
import { ConfigError, registerSecret, registerSecretsOf, validateSettings } from '@observes/protocol';
import { defaultStateUrl, newRunId } from '@observes/state';
import { interpolateEnv } from './interpolate-env.js';
import { PIPELINE_SCHEMA, type PipelineSpec, type ProgramSpec, type StepSpec, type TapSpec } from './pipeline-schema.js';
import { resolveStateUrl } from './pipeline-paths.js';
import { resolveCommand } from './resolve-command.js';
import { splitCommand } from './split-command.js';

export type { PipelineSpec, ProgramSpec, StepSpec, TapSpec } from './pipeline-schema.js';

/** A program ready to start. */
export interface ResolvedProgram {
  /** Command and fixed arguments (the runner adds `--config` etc.). */
  argv: string[];
  /** Config to pass as `--config`, interpolated. */
  config?: Record<string, unknown>;
  /** Extra environment. */
  env: Record<string, string>;
  /** Whether it reports its committed state, when the pipeline file says (else the program's package decides). */
  committedState?: boolean;
  /** Jobs: pass the saved state as `--state`. */
  passState?: boolean;
}

/** A tap ready to start. */
export interface ResolvedTap extends ResolvedProgram {
  /** Catalog to pass as `--catalog`. */
  catalog?: unknown;
  /** Streams to select from the discovered catalog. */
  select?: string[];
}

/** What every run unit has: a whole simple pipeline, or one copy of a step. */
export interface RunUnitBase {
  /** Pipeline name. */
  pipeline: string;
  /** Unit name: the pipeline name, `<pipeline>.<step>` or `<pipeline>.<step>.<index>`; prefixes logs. */
  name: string;
  /** Where the unit's state lives. */
  stateUrl: string;
  /**
   * Id of that state, given to its programs as `OBSERVES_PIPELINE` (a target files its commit record under it):
   * the unit name, or the pipeline name for steps sharing one state URL (they share one commit record too).
   */
  stateId: string;
}

/** A tap → target run. */
export interface PipeUnit extends RunUnitBase {
  /** The tap, started with `--config`, `--state`, `--catalog`. */
  tap: ResolvedTap;
  /** The target, fed the tap's output. */
  target: ResolvedProgram;
  job?: undefined;
}

/** A step's single program, run alone with `--config` (a load from S3, a maintenance job). */
export interface JobUnit extends RunUnitBase {
  /** The program, started with `--config` and `--state`. */
  job: ResolvedProgram;
  tap?: undefined;
  target?: undefined;
}

/** One unit of work of a pipeline. */
export type RunUnit = PipeUnit | JobUnit;

/** A phase: units that run (concurrently if `parallel`) after the previous phase succeeded. */
export interface RunPhase {
  /** Step name (the pipeline name when there are no steps). */
  name: string;
  /** Whether the units run concurrently. */
  parallel: boolean;
  /** The units: one, or the copies of an array step. */
  units: RunUnit[];
}

/** A loaded pipeline. */
export interface Pipeline {
  /** The file as validated. */
  spec: PipelineSpec;
  /** Absolute path of the pipeline file. */
  file: string;
  phases: RunPhase[];
  /** Retries of a failed run (`resources.retries`, default 0). */
  retries: number;
  /** Run timeout in seconds, if any. */
  timeoutSeconds?: number;
  /** Identifier of this run, given to every program as `OBSERVES_RUN_ID` (and usable as `${OBSERVES_RUN_ID}`). */
  runId: string;
}

/** Every problem of a pipeline file at once: a configuration error (exit 2, not retried). */
export class PipelineConfigError extends ConfigError {
  /** The process exit code of a configuration error. */
  readonly exitCode = 2;
  /** Every problem, each naming where it is (`/tap/command: …`). */
  declare readonly problems: readonly string[];
  /**
   * @param file - the pipeline file
   * @param problems - every problem, each naming where it is (`/tap/command: …`)
   */
  constructor(
    readonly file: string,
    problems: string[],
  ) {
    super(`${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    (this as { problems: readonly string[] }).problems = problems;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every problem of a parsed pipeline file: the schema (unknown keys at every level, types), the schedule
 * (cron), a tap and a target for every unit, unique step names. Looks at what it
 * can even where the schema fails, so one pass lists everything.
 */
function specProblems(data: unknown): string[] {
  const problems: string[] = [];
  try {
    validateSettings(PIPELINE_SCHEMA, data);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (!isObject(data)) return problems;
  if (typeof data.schedule === 'string') {
    try {
      CronExpressionParser.parse(data.schedule);
    } catch (error) {
      problems.push(`/schedule: not a cron expression (minute hour day-of-month month day-of-week): ${(error as Error).message}`);
    }
  }
  const steps = Array.isArray(data.steps) ? data.steps.filter(isObject) : undefined;
  const top = { tap: isObject(data.tap) ? data.tap : undefined, target: isObject(data.target) ? data.target : undefined };
  const units = steps ? steps.map((s, i) => ({ at: `/steps/${i}`, step: s })) : [{ at: '', step: undefined }];
  for (const { at, step } of units) {
    if (step?.job !== undefined) {
      if (step.tap || step.target) problems.push(`${at}: a job step has no tap or target`);
      continue;
    }
    const where = steps ? ' (in the step or at the top level)' : '';
    for (const role of ['tap', 'target'] as const) {
      const own = isObject(step?.[role]) ? (step[role] as Record<string, unknown>) : undefined;
      if ((own?.command ?? top[role]?.command) === undefined) problems.push(`${at || '/'}: ${role}.command is required${where}`);
    }
  }
  const names = new Set<unknown>();
  for (const [i, step] of (steps ?? []).entries()) {
    if (names.has(step.name)) problems.push(`/steps/${i}/name: duplicate step name ${JSON.stringify(step.name)}`);
    names.add(step.name);
  }
  return problems;
}

function parseYamlFile(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new PipelineConfigError(file, [`not valid YAML: ${(error as Error).message}`]);
  }
}

/**
 * Parses and validates a pipeline file's text, listing every problem (schema, cron, missing tap or
 * target). Pure: no file or environment access.
 */
export function parsePipelineSpec(text: string, file: string): PipelineSpec {
  const data = parseYamlFile(text, file);
  const problems = specProblems(data);
  if (problems.length > 0) throw new PipelineConfigError(file, problems);
  return data as PipelineSpec;
}

/** Options of {@link loadPipeline}. */
export interface LoadPipelineOptions {
  /** Environment for `${ENV}` interpolation (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Accept unset `${ENV}` variables (for commands that only need state URLs, not secrets). */
  ignoreMissingEnv?: boolean;
  /** Check that every command resolves to an executable (default true; off for commands that only need state URLs). */
  resolveCommands?: boolean;
  /** Run id (default: a UTC timestamp with a random suffix, e.g. `20261128T120102Z-k3x9qa`). */
  runId?: string;
  /** When the run starts (default now): gives `${OBSERVES_PREVIOUS_MONTH}`. */
  now?: Date;
}

/** `YYYY-MM` of the UTC month before `now`'s: what a monthly backup scheduled on the 1st saves. */
export function previousMonth(now: Date): string {
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return month.toISOString().slice(0, 7);
}

/** State URL of a step copy: the pipeline's URL with `.<suffix>` before its extension. */
function stateUrlFor(base: string | undefined, unitName: string, suffix: string | undefined, baseDir: string): string {
  if (!base) return defaultStateUrl(unitName, baseDir);
  const url = resolveStateUrl(base, baseDir);
  if (!suffix) return url;
  const match = /^(.*?)(\.json)?$/.exec(url)!;
  return `${match[1]}.${suffix}${match[2] ?? ''}`;
}

/**
 * Reads a pipeline file, validates it and resolves it into phases of runnable units: config files
 * read, `${ENV}` interpolated, string commands split, commands resolved, relative state paths made
 * absolute, catalogs loaded. Every relative path is the pipeline file's directory's (children run
 * there too). Every problem is listed at once, in a {@link PipelineConfigError}.
 */
export async function loadPipeline(file: string, options: LoadPipelineOptions = {}): Promise<Pipeline> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PipelineConfigError(file, [`cannot read the pipeline file: ${(error as Error).message}`]);
  }
  const data = parseYamlFile(text, file);
  const problems = specProblems(data);
  if (!isObject(data)) throw new PipelineConfigError(file, problems);
  const spec = data as unknown as PipelineSpec;
  const base = dirname(path);
  const runId = options.runId ?? newRunId();
  // OBSERVES_PREVIOUS_MONTH is computed once per run (retries included), so a run crossing midnight of the 1st
  // keeps one month; the environment may set it (tests, a backfill).
  const env = { OBSERVES_PREVIOUS_MONTH: previousMonth(options.now ?? new Date()), ...(options.env ?? process.env), OBSERVES_RUN_ID: runId };

  const readData = async (ref: unknown, at: string): Promise<unknown> => {
    if (typeof ref !== 'string') return undefined; // the schema said why
    try {
      return parseYaml(await readFile(resolve(base, ref), 'utf8'));
    } catch (error) {
      problems.push(`${at}: cannot read ${ref} (relative to ${base}): ${(error as Error).message}`);
      return undefined;
    }
  };
  const resolveProgram = async (program: ProgramSpec, at: string, unitEnv: Record<string, string | undefined>): Promise<ResolvedProgram> => {
    const rawConfig = typeof program.config === 'string' ? await readData(program.config, `${at}.config`) : program.config;
    let command: string[] = [];
    if (typeof program.command === 'string' || (Array.isArray(program.command) && program.command.every((w) => typeof w === 'string'))) {
      try {
        command = splitCommand(program.command);
      } catch (error) {
        problems.push(`${at}.command: ${(error as Error).message}`);
      }
    }
    const args = Array.isArray(program.args) ? program.args : [];
    const extraEnv = isObject(program.env) ? program.env : {};
    const interpolated = interpolateEnv({ command, args, config: rawConfig, env: extraEnv }, unitEnv, at);
    if (!options.ignoreMissingEnv) for (const m of interpolated.missing) problems.push(`${m.path}: environment variable ${m.name} is not set`);
    interpolated.secrets.forEach(registerSecret);
    const { config, env: programEnv } = interpolated.value;
    const argv = [...interpolated.value.command, ...interpolated.value.args];
    registerSecretsOf(config);
    registerSecretsOf(programEnv);
    if (config !== undefined && !isObject(config)) problems.push(`${at}.config: must be an object`);
    if (options.resolveCommands !== false && command.length > 0 && interpolated.missing.length === 0) {
      try {
        resolveCommand(argv[0], base);
      } catch (error) {
        problems.push(`${at}.command: ${(error as Error).message}`);
      }
    }
    return {
      argv,
      config: config as Record<string, unknown> | undefined,
      env: programEnv as Record<string, string>,
      ...(typeof program.committed_state === 'boolean' ? { committedState: program.committed_state } : {}),
      ...(program.pass_state === true ? { passState: true } : {}),
    };
  };

  const phases: RunPhase[] = [];
  const steps: StepSpec[] = Array.isArray(spec.steps) ? spec.steps.filter(isObject) : [{ name: '', parallel: false }];
  const name = typeof spec.name === 'string' ? spec.name : 'pipeline';
  for (const step of steps) {
    const size = Number.isInteger(step.array_size) && step.array_size! > 0 ? step.array_size! : 1;
    const units: RunUnit[] = [];
    for (let index = 0; index < size; index++) {
      const suffix = step.name ? (size > 1 ? `${step.name}.${index}` : step.name) : undefined;
      const unitName = suffix ? `${name}.${suffix}` : name;
      const arrayEnv: Record<string, string> = {
        OBSERVES_RUN_ID: runId,
        ...(size > 1 ? { OBSERVES_ARRAY_INDEX: String(index), OBSERVES_ARRAY_SIZE: String(size) } : {}),
      };
      const unitEnv = { ...env, ...arrayEnv };
      const at = step.name ? `steps.${step.name}` : '';
      let stateUrl = '';
      try {
        stateUrl =
          typeof step.state === 'string'
            ? resolveStateUrl(step.state, base)
            : stateUrlFor(typeof spec.state === 'string' ? spec.state : undefined, unitName, suffix, base);
      } catch (error) {
        problems.push(`${typeof step.state === 'string' ? `/steps/${steps.indexOf(step)}` : ''}/state: ${(error as Error).message}`);
      }
      if (isObject(step.job)) {
        const job = await resolveProgram(step.job, `${at}.job`, unitEnv);
        Object.assign(job.env, arrayEnv);
        units.push({ pipeline: name, name: unitName, job, stateUrl, stateId: unitName });
        continue;
      }
      const tapSpec: TapSpec = { ...(isObject(spec.tap) ? spec.tap : {}), ...(isObject(step.tap) ? step.tap : {}) };
      const targetSpec: ProgramSpec = { ...(isObject(spec.target) ? spec.target : {}), ...(isObject(step.target) ? step.target : {}) };
      const tap = await resolveProgram(tapSpec, at ? `${at}.tap` : 'tap', unitEnv);
      const target = await resolveProgram(targetSpec, at ? `${at}.target` : 'target', unitEnv);
      Object.assign(tap.env, arrayEnv);
      Object.assign(target.env, arrayEnv);
      const catalog = tapSpec.catalog ? await readData(tapSpec.catalog, `${at ? `${at}.` : ''}tap.catalog`) : undefined;
      units.push({ pipeline: name, name: unitName, tap: { ...tap, catalog, select: tapSpec.select }, target, stateUrl, stateId: unitName });
    }
    phases.push({ name: step.name || name, parallel: step.parallel ?? true, units });
  }
  if (problems.length > 0) throw new PipelineConfigError(file, [...new Set(problems)]);
  const units = phases.flatMap((phase) => phase.units);
  for (const unit of units) if (units.some((other) => other !== unit && other.stateUrl === unit.stateUrl)) unit.stateId = name;
  return { spec, file: path, phases, retries: spec.resources?.retries ?? 0, timeoutSeconds: spec.resources?.timeout, runId };
}

/** Several pipeline files at once: the problems of all of them in one error (one section per file). */
export class PipelinesConfigError extends ConfigError {
  /** The process exit code of a configuration error. */
  readonly exitCode = 2;
  /** Every problem, each prefixed with its file. */
  declare readonly problems: readonly string[];
  constructor(readonly errors: PipelineConfigError[]) {
    super(`${errors.length} pipeline files are invalid:\n${errors.map((e) => e.message).join('\n')}`);
    this.name = 'PipelineConfigError';
    (this as { problems: readonly string[] }).problems = errors.flatMap((e) => e.problems.map((p) => `${e.file}: ${p}`));
  }
}

/** Loads every pipeline file, listing the problems of all of them before anything runs. */
export async function loadPipelines(files: string[], options: LoadPipelineOptions = {}): Promise<Pipeline[]> {
  const pipelines: Pipeline[] = [];
  const errors: PipelineConfigError[] = [];
  for (const file of files) {
    try {
      pipelines.push(await loadPipeline(file, options));
    } catch (error) {
      if (!(error instanceof PipelineConfigError)) throw error;
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new PipelinesConfigError(errors);
  return pipelines;
}
