import { loadSettings, setting, validateSettings, type SettingsOf } from '@observes/protocol';
import { newRunId } from '@observes/state';

export { ConfigError } from '@observes/protocol';

/** Prefix of the environment variables that set target-s3's settings (`TARGET_S3_BUCKET`...). */
export const ENV_PREFIX = 'TARGET_S3_';

const KEY_PART = '^[A-Za-z0-9_.=-]+$';

/**
 * target-s3's settings, declared once (the `--config` file, then `TARGET_S3_<SETTING>` variables, then flags): the type
 * {@link TargetS3Config}, validation, `--help`, `--about` and the README's table derive from it.
 */
export const targetS3Settings = setting.object(
  {
    bucket: setting.string({ required: true, minLength: 3, description: 'bucket the files and the manifest go to', examples: ['observes.backups'] }),
    prefix: setting.string({ default: '', description: 'key prefix, without leading or trailing slash' }),
    format: setting.enum(['jsonl', 'csv'] as const, {
      default: 'jsonl',
      description: 'jsonl: gzip JSON lines of the raw records; csv: gzip CSV of flattened tables, child tables as their own files',
    }),
    max_file_bytes: setting.integer({
      minimum: 1024,
      default: 128 * 1024 * 1024,
      description: 'rotate a file once this many uncompressed bytes were written to it',
    }),
    part_size_bytes: setting.integer({
      minimum: 5 * 1024 * 1024,
      default: 8 * 1024 * 1024,
      description: "multipart upload part size in bytes (S3's minimum is 5 MiB)",
    }),
    batch_max_age_seconds: setting.number({
      minimum: 0,
      default: 300,
      description:
        'close the open files, rewrite the manifest and echo the latest STATE once the oldest record not yet uploaded is this old (0: at every STATE); always at end of input',
    }),
    run_id: setting.string({
      pattern: KEY_PART,
      description:
        "identifier of this run in keys and the manifest name; default the runner's OBSERVES_RUN_ID (.<OBSERVES_ARRAY_INDEX> in an array step), else a UTC timestamp and a random suffix",
    }),
    period: setting.string({
      pattern: KEY_PART,
      description:
        "backup period (e.g. 2026-11): files go under <prefix>/<stream>/<period>/, the manifest is _manifests/<period>.json, and the period's file set is replaced",
    }),
    endpoint: setting.string({
      description: 'S3-compatible endpoint, addressed path-style (default OBSERVES_S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)',
    }),
    region: setting.string({ description: 'region (default AWS_REGION, else us-east-1)' }),
    validate_records: setting.boolean({ default: true, description: 'validate records against their schema' }),
    max_nesting: setting.integer({
      minimum: 0,
      description: 'CSV only: nesting levels flattened; deeper objects and lists are stored as JSON text (default unlimited)',
    }),
    state_id: setting.string({
      minLength: 1,
      description:
        "pipeline id the commit head is filed under (_manifests/_head/<id>.json, for --committed-state); default the runner's OBSERVES_PIPELINE, else default",
    }),
  },
  // The wording target-s3's users know (ajv's own).
  {
    errorMessage: {
      required: "${path}: must have required property '${property}'",
      additionalProperties: '${path}: must NOT have additional properties (${property})',
    },
  },
);

/** The validated configuration of target-s3 (`run_id` always set). */
export type TargetS3Config = SettingsOf<typeof targetS3Settings> & { run_id: string };

function defaultRunId(env: NodeJS.ProcessEnv): string {
  if (!env.OBSERVES_RUN_ID || !new RegExp(KEY_PART).test(env.OBSERVES_RUN_ID)) return newRunId();
  return env.OBSERVES_ARRAY_INDEX ? `${env.OBSERVES_RUN_ID}.${env.OBSERVES_ARRAY_INDEX}` : env.OBSERVES_RUN_ID;
}

/** What the declaration cannot say: a prefix without slashes, the run id of the period or of the runner. */
function resolved(config: SettingsOf<typeof targetS3Settings>, env: NodeJS.ProcessEnv): TargetS3Config {
  return { ...config, prefix: config.prefix.replace(/^\/+|\/+$/g, ''), run_id: config.run_id ?? config.period ?? defaultRunId(env) };
}

/**
 * Validates a raw config object and fills defaults; `overrides` (CLI flags) win over the file.
 * @throws ConfigError listing every problem
 */
export function resolveConfig(raw: unknown, overrides: Partial<TargetS3Config> = {}, env: NodeJS.ProcessEnv = process.env): TargetS3Config {
  const merged = { ...(raw as object), ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  return resolved(validateSettings(targetS3Settings, merged), env);
}

/**
 * Reads the config file (optional when the environment gives the settings), overlays `TARGET_S3_<SETTING>`
 * variables, then `overrides` (flags), and resolves it. Precedence: flags, environment, file.
 */
export function loadConfig(file: string | undefined, overrides: Partial<TargetS3Config> = {}, env: NodeJS.ProcessEnv = process.env): TargetS3Config {
  return resolved(loadSettings(targetS3Settings, { path: file, envPrefix: ENV_PREFIX, env, overrides }), env);
}
