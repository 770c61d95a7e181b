import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { CronExpressionParser } from 'cron-parser';
import { parse as parseYaml } from 'yaml';
import { registerSecret } from '@observes/protocol';
import { defaultStateUrl, newRunId } from '@observes/state';
import { CliError } from './cli-error.js';
import { interpolateEnv } from './interpolate-env.js';
import { PIPELINE_SCHEMA } from './pipeline-schema.js';

/** A tap or target as written in a pipeline file. */
export interface ProgramSpec {
  /** Executable name or path, or argv list. */
  command?: string | string[];
  /** Config file path (relative to the pipeline file) or inline object. */
  config?: string | Record<string, unknown>;
  /** Extra arguments. */
  args?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Targets and jobs: whether it reports its committed state (default: its package's declaration). */
  committed_state?: boolean;
  /** Jobs: pass the saved state as `--state` (default false: most programs refuse unknown arguments). */
  pass_state?: boolean;
}

/** A tap as written in a pipeline file. */
export interface TapSpec extends ProgramSpec {
  /** Catalog file. */
  catalog?: string;
  /** Streams to select after `--discover`. */
  select?: string[];
}

/** A phase of a phased pipeline. */
export interface StepSpec {
  /** Step name: part of its units' names and state keys. */
  name: string;
  /** A single program run instead of tap → target (a load from S3, a maintenance job). */
  job?: ProgramSpec;
  /** Overrides of the pipeline's tap fields. */
  tap?: TapSpec;
  /** Overrides of the pipeline's target fields. */
  target?: ProgramSpec;
  /** State URL of the step (default: the pipeline's with `.<step>[.<index>]` before `.json`). */
  state?: string;
  /** Run the copies concurrently (default true). */
  parallel?: boolean;
  /** Copies (array job size, default 1). */
  array_size?: number;
}

/** A pipeline file, as validated against {@link PIPELINE_SCHEMA}. */
export interface PipelineSpec {
  /** Pipeline name: names logs, the default state file and the report. */
  name: string;
  /** Free text for people. */
  description?: string;
  /** The tap (required unless every step says it). */
  tap?: TapSpec;
  /** The target (required unless every step says it). */
  target?: ProgramSpec;
  /** State URL (default `file://<cwd>/.observes/state/<name>.json`). */
  state?: string;
  /** Cron expression, for the infrastructure. */
  schedule?: string;
  /** Earlier states kept (see `HistoryRetention` of `@observes/state`). */
  state_history?: { versions?: number; days?: number };
  /** Batch job size, run timeout (seconds, enforced) and retries (enforced). */
  resources?: { vcpu?: number; memory?: number; timeout?: number; retries?: number };
  /** Phases run in order. */
  steps?: StepSpec[];
}

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

/** Every problem of a pipeline file at once. */
export class PipelineConfigError extends CliError {
  /**
   * @param file - the pipeline file
   * @param problems - every problem, each naming where it is (`/tap/command: …`)
   */
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`, 2);
    this.name = 'PipelineConfigError';
  }
}

const validateSchema = new Ajv({ allErrors: true, strict: false }).compile(PIPELINE_SCHEMA);

/**
 * Parses and validates a pipeline file's text, listing every problem (schema, cron, missing tap or
 * target). Pure: no file or environment access.
 */
export function parsePipelineSpec(text: string, file: string): PipelineSpec {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new PipelineConfigError(file, [`not valid YAML: ${(error as Error).message}`]);
  }
  const problems: string[] = [];
  if (!validateSchema(data)) {
    for (const e of validateSchema.errors ?? []) {
      const where = e.instancePath || '/';
      const detail = e.keyword === 'additionalProperties' ? ` (${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)})` : '';
      if (e.keyword === 'anyOf') continue; // its branches already said why
      problems.push(`${where}: ${e.message}${detail}`);
    }
    throw new PipelineConfigError(file, problems);
  }
  const spec = data as PipelineSpec;
  if (spec.schedule) {
    try {
      CronExpressionParser.parse(spec.schedule);
    } catch (error) {
      problems.push(`/schedule: not a cron expression: ${(error as Error).message}`);
    }
  }
  const units = spec.steps ? spec.steps.map((s, i) => ({ at: `/steps/${i}`, tap: s.tap, target: s.target })) : [{ at: '', tap: undefined, target: undefined }];
  for (const [i, unit] of units.entries()) {
    if (spec.steps?.[i].job) {
      if (spec.steps[i].tap || spec.steps[i].target) problems.push(`/steps/${i}: a job step has no tap or target`);
      continue;
    }
    if (!(unit.tap?.command ?? spec.tap?.command)) problems.push(`${unit.at || '/'}: tap.command is required${spec.steps ? ' (in the step or at the top level)' : ''}`);
    if (!(unit.target?.command ?? spec.target?.command)) problems.push(`${unit.at || '/'}: target.command is required${spec.steps ? ' (in the step or at the top level)' : ''}`);
  }
  const names = new Set<string>();
  for (const [i, step] of (spec.steps ?? []).entries()) {
    if (names.has(step.name)) problems.push(`/steps/${i}/name: duplicate step name ${JSON.stringify(step.name)}`);
    names.add(step.name);
  }
  if (problems.length > 0) throw new PipelineConfigError(file, problems);
  return spec;
}

/** Options of {@link loadPipeline}. */
export interface LoadPipelineOptions {
  /** Environment for `${ENV}` interpolation (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Directory default state files go under (default the working directory). */
  cwd?: string;
  /** Accept unset `${ENV}` variables (for commands that only need state URLs, not secrets). */
  ignoreMissingEnv?: boolean;
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
function stateUrlFor(base: string | undefined, unitName: string, suffix: string | undefined, cwd: string): string {
  if (!base) return defaultStateUrl(unitName, cwd);
  if (!suffix) return base;
  const match = /^(.*?)(\.json)?$/.exec(base)!;
  return `${match[1]}.${suffix}${match[2] ?? ''}`;
}

/**
 * Reads a pipeline file, validates it and resolves it into phases of runnable units: config files
 * read, `${ENV}` interpolated (missing variables listed with the other problems), catalogs loaded.
 */
export async function loadPipeline(file: string, options: LoadPipelineOptions = {}): Promise<Pipeline> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read pipeline ${file}: ${(error as Error).message}`);
  }
  const spec = parsePipelineSpec(text, file);
  const base = dirname(path);
  const runId = options.runId ?? newRunId();
  // OBSERVES_PREVIOUS_MONTH is computed once per run (retries included), so a run crossing midnight of the 1st
  // keeps one month; the environment may set it (tests, a backfill).
  const env = { OBSERVES_PREVIOUS_MONTH: previousMonth(options.now ?? new Date()), ...(options.env ?? process.env), OBSERVES_RUN_ID: runId };
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];

  const readData = async (ref: string, at: string): Promise<unknown> => {
    try {
      return parseYaml(await readFile(resolve(base, ref), 'utf8'));
    } catch (error) {
      problems.push(`${at}: cannot read ${ref}: ${(error as Error).message}`);
      return undefined;
    }
  };
  const resolveProgram = async (program: ProgramSpec, at: string, unitEnv: Record<string, string | undefined>): Promise<ResolvedProgram> => {
    const rawConfig = typeof program.config === 'string' ? await readData(program.config, `${at}.config`) : program.config;
    const interpolated = interpolateEnv({ command: program.command!, args: program.args ?? [], config: rawConfig, env: program.env ?? {} }, unitEnv, at);
    if (!options.ignoreMissingEnv) for (const m of interpolated.missing) problems.push(`${m.path}: environment variable ${m.name} is not set`);
    interpolated.secrets.forEach(registerSecret);
    const config = interpolated.value.config;
    if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) problems.push(`${at}.config: must be an object`);
    const { command, args } = interpolated.value;
    const argv = [...(typeof command === 'string' ? [command] : command), ...args];
    return {
      argv,
      config: config as Record<string, unknown> | undefined,
      env: interpolated.value.env,
      ...(program.committed_state !== undefined ? { committedState: program.committed_state } : {}),
      ...(program.pass_state ? { passState: true } : {}),
    };
  };

  const phases: RunPhase[] = [];
  const steps: StepSpec[] = spec.steps ?? [{ name: '', parallel: false }];
  for (const step of steps) {
    const size = step.array_size ?? 1;
    const units: RunUnit[] = [];
    for (let index = 0; index < size; index++) {
      const suffix = step.name ? (size > 1 ? `${step.name}.${index}` : step.name) : undefined;
      const name = suffix ? `${spec.name}.${suffix}` : spec.name;
      const arrayEnv: Record<string, string> = { OBSERVES_RUN_ID: runId, ...(size > 1 ? { OBSERVES_ARRAY_INDEX: String(index), OBSERVES_ARRAY_SIZE: String(size) } : {}) };
      const unitEnv = { ...env, ...arrayEnv };
      const at = step.name ? `steps.${step.name}` : '';
      const stateUrl = step.state ?? stateUrlFor(spec.state, name, suffix, cwd);
      if (step.job) {
        const job = await resolveProgram(step.job, `${at}.job`, unitEnv);
        Object.assign(job.env, arrayEnv);
        units.push({ pipeline: spec.name, name, job, stateUrl, stateId: name });
        continue;
      }
      const tapSpec: TapSpec = { ...spec.tap, ...step.tap };
      const targetSpec: ProgramSpec = { ...spec.target, ...step.target };
      const tap = await resolveProgram(tapSpec, at ? `${at}.tap` : 'tap', unitEnv);
      const target = await resolveProgram(targetSpec, at ? `${at}.target` : 'target', unitEnv);
      Object.assign(tap.env, arrayEnv);
      Object.assign(target.env, arrayEnv);
      const catalog = tapSpec.catalog ? await readData(tapSpec.catalog, `${at ? `${at}.` : ''}tap.catalog`) : undefined;
      units.push({ pipeline: spec.name, name, tap: { ...tap, catalog, select: tapSpec.select }, target, stateUrl, stateId: name });
    }
    phases.push({ name: step.name || spec.name, parallel: step.parallel ?? true, units });
  }
  if (problems.length > 0) throw new PipelineConfigError(file, [...new Set(problems)]);
  const units = phases.flatMap((phase) => phase.units);
  for (const unit of units) if (units.some((other) => other !== unit && other.stateUrl === unit.stateUrl)) unit.stateId = spec.name;
  return { spec, file: path, phases, retries: spec.resources?.retries ?? 0, timeoutSeconds: spec.resources?.timeout, runId };
}
