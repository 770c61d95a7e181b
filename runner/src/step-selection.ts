import { CliError } from './cli-error.js';
import type { Pipeline } from './pipeline-config.js';

/**
 * Running some steps (and one array copy) of a phased pipeline: a phase run by hand or on its own
 * schedule (`--step load` of examples/zoho-crm.yaml), and what one AWS Batch job of infra/ runs:
 * the `scan` step of 8 copies is one Batch array job whose children each run
 * `observes run <file> --step scan` and get their copy from `AWS_BATCH_JOB_ARRAY_INDEX`; a later
 * step is its own job. Without `--step` every step runs, in order, as locally.
 */

/** Which part of a pipeline `observes run` runs. */
export interface StepSelection {
  /** The steps to run (in the file's order); empty: every step. */
  steps: string[];
  /** The array copy of the one selected step to run alone; undefined: every copy. */
  arrayIndex?: number;
}

/** The yargs options of the selection (declared once: `observes run` and its `--help` read them). */
export const STEP_OPTIONS = {
  step: {
    type: 'string',
    array: true,
    describe: 'Run only this step of each pipeline (repeatable): a phase run by hand or on its own schedule, one AWS Batch job per step',
  },
  'array-index': {
    type: 'number',
    describe: 'With one --step: run only this copy of an array step (default $AWS_BATCH_JOB_ARRAY_INDEX, set in each child of a Batch array job)',
  },
} as const;

/**
 * The selection from `--step`/`--array-index`, the index defaulting to `AWS_BATCH_JOB_ARRAY_INDEX`
 * when exactly one step is selected.
 * @throws CliError (exit 2) for an index that is not a whole number, or an index without exactly one step
 */
export function stepSelection(args: { step?: string[]; 'array-index'?: number }, env: Record<string, string | undefined> = process.env): StepSelection {
  const steps = args.step ?? [];
  if (args['array-index'] !== undefined && steps.length !== 1)
    throw new CliError('--array-index needs exactly one --step (the array step whose copy to run)', 2);
  if (steps.length !== 1) return { steps };
  const fromBatch = env.AWS_BATCH_JOB_ARRAY_INDEX;
  const raw = args['array-index'] ?? (fromBatch === undefined || fromBatch === '' ? undefined : Number(fromBatch));
  if (raw === undefined) return { steps };
  const source = args['array-index'] === undefined ? `AWS_BATCH_JOB_ARRAY_INDEX=${fromBatch}` : `--array-index ${raw}`;
  if (!Number.isInteger(raw) || raw < 0) throw new CliError(`${source}: an array index is a whole number from 0`, 2);
  return { steps, arrayIndex: raw };
}

/**
 * The pipeline reduced to the selected steps (in the file's order) and copy. Units keep their
 * names, state URLs and `OBSERVES_ARRAY_INDEX`, so a step or copy run alone resumes from, and
 * saves, the same state as when the whole pipeline runs.
 * @throws CliError (exit 2) naming the pipeline's steps when a step does not exist, or the copies
 * when the index is out of range or the step is no array (a non-array step submitted as a Batch
 * array job would otherwise run several times at once)
 */
export function selectSteps(pipeline: Pipeline, steps: readonly string[], arrayIndex?: number): Pipeline {
  if (steps.length === 0) return pipeline;
  const specs = pipeline.spec.steps ?? [];
  const known = specs.map((s) => s.name);
  const unknown = steps.filter((s) => !known.includes(s));
  if (unknown.length > 0)
    throw new CliError(
      `${pipeline.file}: no step ${unknown.map((s) => JSON.stringify(s)).join(', ')}; its steps: ${known.length > 0 ? known.join(', ') : 'none'}`,
      2,
    );
  const phases = pipeline.phases.filter((_, i) => steps.includes(known[i]));
  if (arrayIndex === undefined) return { ...pipeline, phases };
  const [step] = steps;
  const size = specs[known.indexOf(step)].array_size ?? 1;
  if (size < 2)
    throw new CliError(`${pipeline.file}: step ${JSON.stringify(step)} has no array copies (no array_size), so it takes no array index (got ${arrayIndex})`, 2);
  if (arrayIndex >= size) throw new CliError(`${pipeline.file}: step ${JSON.stringify(step)} has copies 0 to ${size - 1}; there is no copy ${arrayIndex}`, 2);
  return { ...pipeline, phases: [{ ...phases[0], units: [phases[0].units[arrayIndex]] }] };
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
