import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { newRunId } from '@observes/state';

/** The validated configuration of target-s3. */
export interface TargetS3Config {
  /** Bucket the files and the manifest go to. */
  bucket: string;
  /** Key prefix, without leading or trailing slash (default none). */
  prefix: string;
  /** `jsonl`: gzip JSON lines of the raw records (default). `csv`: gzip CSV of flattened tables, child tables as their own files. */
  format: 'jsonl' | 'csv';
  /** Rotate a file once this many uncompressed bytes were written to it (default 128 MiB). */
  max_file_bytes: number;
  /** Multipart upload part size in bytes (default 8 MiB; S3's minimum is 5 MiB). */
  part_size_bytes: number;
  /**
   * Close the open files, rewrite the manifest and echo the latest STATE once the oldest record not
   * yet uploaded is this old, in seconds (default 300; 0: at every STATE). Always done at end of input.
   */
  batch_max_age_seconds: number;
  /**
   * Identifier of this run in keys and the manifest name. Default: the runner's `OBSERVES_RUN_ID`
   * (with `.<OBSERVES_ARRAY_INDEX>` in an array step, so parallel copies do not share keys), else a
   * UTC timestamp and a random suffix.
   */
  run_id: string;
  /**
   * Backup period (e.g. `2026-11`): files go under `<prefix>/<stream>/<period>/` instead of the run id, the
   * manifest is `_manifests/<period>.json`, and files of an earlier run of the same period that this run did
   * not rewrite are deleted at the end: the period's file set is replaced.
   */
  period?: string;
  /** S3-compatible endpoint (default `OBSERVES_S3_ENDPOINT`/`AWS_ENDPOINT_URL`, else AWS). */
  endpoint?: string;
  /** Region (default `AWS_REGION`, else `us-east-1`). */
  region?: string;
  /** Validate records against their schema (default true). */
  validate_records: boolean;
  /** CSV only: nesting levels flattened; deeper objects and lists are stored as JSON text (default unlimited). */
  max_nesting?: number;
  /**
   * Pipeline id the commit head is filed under (`_manifests/_head/<id>.json`, which names the latest run's
   * manifest for `--committed-state`). Default: the runner's `OBSERVES_PIPELINE` (the unit name), else `default`.
   */
  state_id?: string;
}

/** The config is invalid: lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const KEY_PART = '^[A-Za-z0-9_.=-]+$';
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['bucket'],
  properties: {
    bucket: { type: 'string', minLength: 3 },
    prefix: { type: 'string' },
    format: { enum: ['jsonl', 'csv'] },
    max_file_bytes: { type: 'integer', minimum: 1024 },
    part_size_bytes: { type: 'integer', minimum: 5 * 1024 * 1024 },
    batch_max_age_seconds: { type: 'number', minimum: 0 },
    run_id: { type: 'string', pattern: KEY_PART },
    period: { type: 'string', pattern: KEY_PART },
    endpoint: { type: 'string' },
    region: { type: 'string' },
    validate_records: { type: 'boolean' },
    max_nesting: { type: 'integer', minimum: 0 },
    state_id: { type: 'string', minLength: 1 },
  },
};
const validate = new Ajv({ allErrors: true }).compile(SCHEMA);

function defaultRunId(env: NodeJS.ProcessEnv): string {
  if (!env.OBSERVES_RUN_ID || !new RegExp(KEY_PART).test(env.OBSERVES_RUN_ID)) return newRunId();
  return env.OBSERVES_ARRAY_INDEX ? `${env.OBSERVES_RUN_ID}.${env.OBSERVES_ARRAY_INDEX}` : env.OBSERVES_RUN_ID;
}

/**
 * Validates a raw config object and fills defaults; `overrides` (CLI flags) win over the file.
 * @throws ConfigError listing every problem
 */
export function resolveConfig(raw: unknown, overrides: Partial<TargetS3Config> = {}, env: NodeJS.ProcessEnv = process.env): TargetS3Config {
  const merged = { ...(raw as object), ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  if (!validate(merged)) {
    throw new ConfigError((validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}${e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : ''}`));
  }
  const c = merged as Partial<TargetS3Config> & { bucket: string };
  return {
    bucket: c.bucket,
    prefix: (c.prefix ?? '').replace(/^\/+|\/+$/g, ''),
    format: c.format ?? 'jsonl',
    max_file_bytes: c.max_file_bytes ?? 128 * 1024 * 1024,
    part_size_bytes: c.part_size_bytes ?? 8 * 1024 * 1024,
    batch_max_age_seconds: c.batch_max_age_seconds ?? 300,
    run_id: c.run_id ?? c.period ?? defaultRunId(env),
    period: c.period,
    endpoint: c.endpoint,
    region: c.region,
    validate_records: c.validate_records ?? true,
    max_nesting: c.max_nesting,
    state_id: c.state_id,
  };
}

/** Prefix of the environment variables that set target-s3's settings (`TARGET_S3_BUCKET`...). */
export const ENV_PREFIX = 'TARGET_S3_';

/** The settings `TARGET_S3_<SETTING>` variables give, converted to the types the schema says (numbers, booleans). */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SCHEMA.properties)) {
    const text = env[ENV_PREFIX + name.toUpperCase()];
    if (text === undefined) continue;
    const type = (setting as { type?: string }).type;
    if ((type === 'integer' || type === 'number') && text.trim() !== '' && !Number.isNaN(Number(text))) out[name] = Number(text);
    else if (type === 'boolean' && /^(true|false)$/i.test(text)) out[name] = text.toLowerCase() === 'true';
    else out[name] = text;
  }
  return out;
}

/**
 * Reads the config file (optional when the environment gives the settings), overlays `TARGET_S3_<SETTING>`
 * variables, then `overrides` (flags), and resolves it. Precedence: flags, environment, file.
 */
export function loadConfig(file: string | undefined, overrides: Partial<TargetS3Config> = {}, env: NodeJS.ProcessEnv = process.env): TargetS3Config {
  let raw: unknown = {};
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError([`cannot read config file ${file}: ${(error as Error).message}`]);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError([`config file ${file} must hold a JSON object`]);
  }
  return resolveConfig({ ...(raw as object), ...settingsFromEnv(env) }, overrides, env);
}
