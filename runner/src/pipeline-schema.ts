import { setting, type Declared, type SettingsOf, type TypeOf } from '@observes/protocol';

/**
 * The pipeline file (YAML), declared once: the JSON Schema {@link PIPELINE_SCHEMA} that validates it (every problem at
 * once, in the wording of the settings loader), the types {@link PipelineSpec}, {@link TapSpec}, {@link StepSpec} and
 * {@link ProgramSpec} inferred from it, and the README's table of its keys. The infrastructure code reads the same contract.
 */

// The wording the runner's users know for an unknown key, at every level.
const UNKNOWN_KEY = { errorMessage: { additionalProperties: '${path}: must NOT have additional properties ("${property}")' } };
const section = <P extends Record<string, Declared<unknown>>>(properties: P, description?: string, keywords: Record<string, unknown> = {}) =>
  setting.object(properties, { ...UNKNOWN_KEY, ...keywords, ...(description ? { description } : {}) });

const NAME_PATTERN = '^[A-Za-z0-9_.-]+$';

const command = <const R extends boolean>(required: R) =>
  setting.anyOf([setting.string({ minLength: 1 }), setting.array(setting.string({ minLength: 1 }), { minItems: 1 })], {
    required,
    description:
      'Executable and arguments: a string split like a shell would (quotes respected, no shell), or an argv list; the executable resolves like a shell (node_modules/.bin, then PATH), a relative path from the pipeline file',
  });

/** What every tap, target or job of a pipeline has: a command, its config, arguments and environment. */
const programProperties = {
  command: command(false),
  config: setting.anyOf([setting.string({ minLength: 1 }), setting.json()], {
    description: 'Config file (JSON or YAML, relative to the pipeline file) or inline object; ${ENV} is interpolated',
  }),
  args: setting.array(setting.string(), { description: 'Extra arguments' }),
  env: setting.record(setting.string(), { description: 'Extra environment variables; ${ENV} is interpolated' }),
};

const committedState = setting.boolean({
  description:
    "Whether the program reports its committed state (--commit-record), which the runner compares with the state store before a run (default: what the program's package declares)",
});

const tap = section(
  {
    ...programProperties,
    catalog: setting.string({ minLength: 1, description: 'Catalog file passed as --catalog' }),
    select: setting.array(setting.string({ minLength: 1 }), {
      minItems: 1,
      description: 'Streams to select: the tap is run with --discover and these streams are marked selected',
    }),
  },
  'The tap (required unless every step says it)',
);
const target = section({ ...programProperties, committed_state: committedState }, 'The target (required unless every step says it)');
const job = section(
  {
    ...programProperties,
    command: command(true),
    committed_state: committedState,
    pass_state: setting.boolean({ description: 'Pass the saved state as --state (only programs that accept it; default false)' }),
  },
  'A single program run with --config instead of tap | target (e.g. target-redshift --from-s3)',
);

const step = section({
  name: setting.string({ required: true, pattern: NAME_PATTERN, description: "Step name: part of its units' names and state keys" }),
  job,
  tap: { ...tap, description: "Overrides of the pipeline's tap fields" } as typeof tap,
  target: { ...target, description: "Overrides of the pipeline's target fields" } as typeof target,
  state: setting.string({ minLength: 1, description: "State URL of the step (default: the pipeline's with .<step>[.<index>] before .json)" }),
  parallel: setting.boolean({ description: 'Run the array copies concurrently (default true)' }),
  array_size: setting.integer({
    minimum: 1,
    maximum: 10000,
    description: 'Copies of the step (a Batch array job); each gets OBSERVES_ARRAY_INDEX and OBSERVES_ARRAY_SIZE',
  }),
});

/** JSON Schema of a pipeline file (YAML): the one declaration of its keys. */
export const PIPELINE_SCHEMA = section(
  {
    name: setting.string({ required: true, pattern: NAME_PATTERN, description: 'Pipeline name: names logs, the default state file and the report' }),
    description: setting.string({ description: 'Free text for people' }),
    tap,
    target,
    state: setting.string({
      minLength: 1,
      description: 'State URL: s3://bucket/key, file://path or a path relative to the pipeline file (default .observes/state/<name>.json next to it)',
    }),
    state_history: section(
      {
        versions: setting.integer({ minimum: 1, description: 'The newest this many are kept (default 100)' }),
        days: setting.number({ exclusiveMinimum: 0, description: 'None older than this many days is kept (default 90)' }),
      },
      "Earlier states kept next to the state (each run's last one): the newest `versions` (default 100), none older than `days` (default 90)",
    ),
    schedule: setting.string({ minLength: 1, description: 'Cron expression the infrastructure schedules the pipeline with' }),
    resources: section(
      {
        vcpu: setting.number({ exclusiveMinimum: 0, description: 'vCPUs of the Batch job' }),
        memory: setting.integer({ minimum: 128, description: 'Memory of the Batch job in MiB' }),
        timeout: setting.integer({ minimum: 1, description: 'Run timeout in seconds: the run is stopped (SIGTERM) after it' }),
        retries: setting.integer({ minimum: 0, maximum: 10, description: 'Retries of a failed run, with backoff' }),
      },
      'Batch job size, run timeout (seconds, enforced) and retries (enforced)',
    ),
    steps: setting.array(step, { minItems: 1, description: "Phases run in order; each is a sub-pipeline whose tap/target fields override the pipeline's" }),
  },
  undefined,
  { $schema: 'http://json-schema.org/draft-07/schema#' },
);

/** A pipeline file, as validated against {@link PIPELINE_SCHEMA}. */
export type PipelineSpec = SettingsOf<typeof PIPELINE_SCHEMA>;
/** A tap as written in a pipeline file. */
export type TapSpec = TypeOf<typeof tap>;
/** A tap, target or job as written in a pipeline file. */
export type ProgramSpec = TypeOf<typeof target> & Partial<TypeOf<typeof job>>;
/** A phase of a phased pipeline. */
export type StepSpec = TypeOf<typeof step>;
