import { CliError } from './cli-error.js';
import type { Pipeline } from './pipeline-config.js';

/**
 * Running one step (and one array copy) of a phased pipeline, as one AWS Batch job does: the
 * `scan` step of 8 copies is one Batch array job whose children each run
 * `observes run <file> --step scan` and get their copy from `AWS_BATCH_JOB_ARRAY_INDEX`; a later
 * step is its own job. Without `--step` every step runs, in order, as locally.
 */

/** Which part of a pipeline `observes run` runs. */
export interface StepSelection {
  /** The step to run alone; undefined: every step. */
  step?: string;
  /** The array copy of that step to run alone; undefined: every copy. */
  arrayIndex?: number;
}

/** The yargs options of the selection (declared once: `observes run` and its `--help` read them). */
export const STEP_OPTIONS = {
  step: { type: 'string', describe: 'Run only this step of a phased pipeline (one AWS Batch job per step)' },
  'array-index': {
    type: 'number',
    describe: 'With --step: run only this copy of an array step (default $AWS_BATCH_JOB_ARRAY_INDEX, set in each child of a Batch array job)',
  },
} as const;

/**
 * The selection from `--step`/`--array-index`, the index defaulting to `AWS_BATCH_JOB_ARRAY_INDEX`.
 * @throws CliError (exit 2) for an index that is not a whole number, or an index without a step
 */
export function stepSelection(args: { step?: string; 'array-index'?: number }, env: Record<string, string | undefined> = process.env): StepSelection {
  const fromBatch = env.AWS_BATCH_JOB_ARRAY_INDEX;
  if (args['array-index'] !== undefined && args.step === undefined) throw new CliError('--array-index needs --step (the array step whose copy to run)', 2);
  if (args.step === undefined) return {};
  const raw = args['array-index'] ?? (fromBatch === undefined || fromBatch === '' ? undefined : Number(fromBatch));
  if (raw === undefined) return { step: args.step };
  const source = args['array-index'] === undefined ? `AWS_BATCH_JOB_ARRAY_INDEX=${fromBatch}` : `--array-index ${raw}`;
  if (!Number.isInteger(raw) || raw < 0) throw new CliError(`${source}: an array index is a whole number from 0`, 2);
  return { step: args.step, arrayIndex: raw };
}

/**
 * The pipeline reduced to the selected step (and copy). Units keep their names, state URLs and
 * `OBSERVES_ARRAY_INDEX`, so a copy run alone resumes from, and saves, the same state as when the
 * whole pipeline runs.
 * @throws CliError (exit 2) naming the pipeline's steps when the step does not exist, or the copies
 * when the index is out of range or the step is no array (a non-array step submitted as a Batch
 * array job would otherwise run several times at once)
 */
export function selectStep(pipeline: Pipeline, selection: StepSelection): Pipeline {
  if (selection.step === undefined) return pipeline;
  const where = pipeline.file;
  const steps = pipeline.spec.steps ?? [];
  const index = steps.findIndex((s) => s.name === selection.step);
  if (index < 0) {
    const known = steps.length > 0 ? `its steps are ${steps.map((s) => s.name).join(', ')}` : 'it has no steps';
    throw new CliError(`${where}: no step ${JSON.stringify(selection.step)} (${known})`, 2);
  }
  const phase = pipeline.phases[index];
  if (selection.arrayIndex === undefined) return { ...pipeline, phases: [phase] };
  const size = steps[index].array_size ?? 1;
  if (size < 2) throw new CliError(`${where}: step ${JSON.stringify(selection.step)} has no array copies (no array_size), so it takes no array index (got ${selection.arrayIndex})`, 2);
  if (selection.arrayIndex >= size) throw new CliError(`${where}: step ${JSON.stringify(selection.step)} has copies 0 to ${size - 1}; there is no copy ${selection.arrayIndex}`, 2);
  return { ...pipeline, phases: [{ ...phase, units: [phase.units[selection.arrayIndex]] }] };
}

/**
 * The run id shared by the jobs of one pipeline run: `OBSERVES_RUN_ID` when given (pass the array
 * job's id to the later steps' jobs, e.g. in `containerOverrides.environment`), else the AWS Batch
 * job id without the `:<index>` that array children add (so every copy of an array job names its
 * files with the same run), else undefined (the runner makes a new one).
 */
export function sharedRunId(env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.OBSERVES_RUN_ID) return env.OBSERVES_RUN_ID;
  const job = env.AWS_BATCH_JOB_ID;
  return job ? job.replace(/:\d+$/, '') : undefined;
}
