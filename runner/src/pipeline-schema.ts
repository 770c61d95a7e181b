/** Schema of a tap, target or job: a command, its config, arguments and environment. */
const program = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    command: {
      description: 'Executable and arguments: a string split like a shell would (quotes respected, no shell), or an argv list; the executable resolves like a shell (node_modules/.bin, then PATH), a relative path from the pipeline file',
      anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }],
    },
    config: {
      description: 'Config file (JSON or YAML, relative to the pipeline file) or inline object; ${ENV} is interpolated',
      anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }],
    },
    args: { description: 'Extra arguments', type: 'array', items: { type: 'string' } },
    env: { description: 'Extra environment variables; ${ENV} is interpolated', type: 'object', additionalProperties: { type: 'string' } },
    ...extra,
  },
});

const committedState = {
  committed_state: {
    description: 'Whether the program reports its committed state (--commit-record), which the runner compares with the state store before a run (default: what the program\'s package declares)',
    type: 'boolean',
  },
};

const tapExtra = {
  catalog: { description: 'Catalog file passed as --catalog', type: 'string', minLength: 1 },
  select: { description: 'Streams to select: the tap is run with --discover and these streams are marked selected', type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
};

const NAME = { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' };

/**
 * JSON Schema of a pipeline file (YAML). Kept as data so that errors list every problem at once and
 * the infrastructure code can read the same contract.
 */
export const PIPELINE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { ...NAME, description: 'Pipeline name: names logs, the default state file and the report' },
    description: { type: 'string' },
    tap: program(tapExtra),
    target: program(committedState),
    state: { description: 'State URL: s3://bucket/key, file://path or a path relative to the pipeline file (default .observes/state/<name>.json next to it)', type: 'string', minLength: 1 },
    state_history: {
      description: 'Earlier states kept next to the state (each run\'s last one): the newest `versions` (default 100), none older than `days` (default 90)',
      type: 'object',
      additionalProperties: false,
      properties: { versions: { type: 'integer', minimum: 1 }, days: { type: 'number', exclusiveMinimum: 0 } },
    },
    schedule: { description: 'Cron expression the infrastructure schedules the pipeline with', type: 'string', minLength: 1 },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: {
        vcpu: { description: 'vCPUs of the Batch job', type: 'number', exclusiveMinimum: 0 },
        memory: { description: 'Memory of the Batch job in MiB', type: 'integer', minimum: 128 },
        timeout: { description: 'Run timeout in seconds: the run is stopped (SIGTERM) after it', type: 'integer', minimum: 1 },
        retries: { description: 'Retries of a failed run, with backoff', type: 'integer', minimum: 0, maximum: 10 },
      },
    },
    steps: {
      description: 'Phases run in order; each is a sub-pipeline whose tap/target fields override the pipeline\'s',
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: NAME,
          job: {
            ...program({ ...committedState, pass_state: { description: 'Pass the saved state as --state (only programs that accept it; default false)', type: 'boolean' } }),
            required: ['command'],
            description: 'A single program run with --config instead of tap | target (e.g. target-redshift --from-s3)',
          },
          tap: program(tapExtra),
          target: program(committedState),
          state: { type: 'string', minLength: 1 },
          parallel: { description: 'Run the array copies concurrently (default true)', type: 'boolean' },
          array_size: { description: 'Copies of the step (a Batch array job); each gets OBSERVES_ARRAY_INDEX and OBSERVES_ARRAY_SIZE', type: 'integer', minimum: 1, maximum: 10000 },
        },
      },
    },
  },
} as const;
