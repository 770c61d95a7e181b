import { readFileSync } from 'node:fs';
import { registerSecret } from '@observes/protocol';

/** S3 staging for Redshift's `COPY ... FROM 's3://...'`. */
export interface S3StagingConfig {
  /** Bucket the gzip CSV files are written to. */
  bucket: string;
  /** Key prefix (no leading or trailing slash needed). Default `target-redshift`. */
  prefix: string;
  /** AWS region of the bucket. Default `us-east-1`. */
  region: string;
  /** Custom endpoint (an S3-compatible server); path-style addressing is used with it. */
  endpoint?: string;
  /** IAM role Redshift assumes to read the files (`IAM_ROLE` of the COPY). Without it the redshift dialect does not stage (multi-row INSERTs) and `s3` only serves `--from-s3` reads. */
  iam_role?: string;
}

/** The validated configuration of target-redshift. */
export interface TargetConfig {
  /** `postgres://user:pass@host:port/db` or `pglite:<dir>`; built from host/port/user/password/database when absent. */
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** Use TLS to the server. */
  ssl?: boolean;
  /** Target schema, created if missing. Default `public`. */
  schema: string;
  /**
   * SQL dialect: `redshift` or `postgres`. Default: the server's, read at connect (Redshift names itself in
   * `version()`); `postgres` for `pglite:`. A dialect the server cannot run is refused at connect.
   */
  dialect?: 'redshift' | 'postgres';
  /** Seconds to wait for the server to accept the connection and the login. Default 30. */
  connect_timeout_seconds: number;
  /**
   * Longest a statement may run, in seconds (the server cancels it; a server that stops answering is
   * given up on shortly after). Default 3600; 0: no limit.
   */
  statement_timeout_seconds: number;
  /** Flush when a stream's batch holds this many records. Default 100000. */
  batch_size_rows: number;
  /** Flush when the batches hold this many bytes of input (UTF-16 units of the lines). Default 16 MiB: bounds memory whatever the stream length. */
  batch_size_bytes: number;
  /** Flush (and echo state) when the oldest buffered record is this old. Default 300. */
  batch_max_age_seconds: number;
  /** S3 staging for the redshift dialect's COPY; without it, multi-row INSERTs. */
  s3?: S3StagingConfig;
  /** Add `_sdc_*` metadata columns to root tables. Default false. */
  add_metadata_columns: boolean;
  /** Delete rows whose record has `_sdc_deleted_at` set, instead of storing them. Default false. */
  hard_delete: boolean;
  /** Validate records against their schema. Default true. */
  validate_records: boolean;
  /** Nesting levels flattened; deeper objects and lists go to a json (SUPER/jsonb) column. Default unlimited. */
  max_nesting?: number;
  /** Replace these streams (true: all) at the end of input, for taps that never send ACTIVATE_VERSION. Default none. */
  replace_on_eof: boolean | string[];
  /**
   * Record fields the schema does not declare: `evolve` (default) adds their columns (types inferred from the
   * values, as for a new SCHEMA property), `drop` stores them nowhere (a warning per field), `fail` fails the run.
   */
  undeclared_fields: 'evolve' | 'drop' | 'fail';
  /**
   * Records of a version whose ACTIVATE_VERSION has not come when the input ends: `fail` (default) exits non-zero
   * naming the stream, leaving the tables as they were and confirming no state; `activate` swaps them in.
   */
  missing_activate_version: 'fail' | 'activate';
  /**
   * Text no warehouse stores (bytes that are not UTF-8, lone surrogates, NUL characters): `fail` (default) refuses
   * the input naming the line (and the record's key and column); `replace` stores U+FFFD instead, logging how many.
   */
  invalid_text: 'fail' | 'replace';
  /**
   * Pipeline id the committed state is filed under in the schema's `_sdc_state` table. Default: the runner's
   * `OBSERVES_PIPELINE` (the id of the unit's state), else the schema.
   */
  state_id?: string;
  /**
   * Sort key of new tables of keyed streams: `key` (default) sorts by the key columns (a child table by its
   * `_sdc_source_key_*` columns), so the merge's `DELETE ... USING` reads only the blocks the batch's keys can be in
   * (Redshift `COMPOUND SORTKEY`; PostgreSQL a BRIN index on the first key column); `none`: no sort key.
   */
  sort_key: 'key' | 'none';
  /**
   * Distribution of new tables of keyed streams (Redshift): `key` (default) `DISTKEY` on the first key column
   * (a child table's first `_sdc_source_key_*` column), so a root row, its child rows and the merge's staged rows
   * share a slice; `auto`: Redshift's `DISTSTYLE AUTO`. PostgreSQL ignores it.
   */
  dist_key: 'key' | 'auto';
  /** Largest multi-row INSERT statement of the redshift dialect without S3 staging, in bytes. Default 15 MiB (Redshift refuses statements over 16 MB). */
  insert_statement_bytes: number;
}

/** The config is invalid: lists every problem at once. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const ENV_PREFIX = 'TARGET_REDSHIFT_';
const KNOWN = ['url', 'host', 'port', 'user', 'password', 'database', 'ssl', 'schema', 'dialect', 'connect_timeout_seconds', 'statement_timeout_seconds', 'batch_size_rows', 'batch_size_bytes', 'batch_max_age_seconds', 's3', 'add_metadata_columns', 'hard_delete', 'validate_records', 'max_nesting', 'replace_on_eof', 'undeclared_fields', 'missing_activate_version', 'invalid_text', 'state_id', 'sort_key', 'dist_key', 'insert_statement_bytes'];

/** Reads the config file (when given) and overlays `TARGET_REDSHIFT_<SETTING>` environment variables (S3: `TARGET_REDSHIFT_S3_BUCKET`...). */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): TargetConfig {
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError([`cannot read config file ${file}: ${(error as Error).message}`]);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError([`config file ${file} is not valid JSON: ${(error as Error).message}`]);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError([`config file ${file} must hold a JSON object`]);
  }
  const merged: Record<string, unknown> = { ...raw };
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const key = name.slice(ENV_PREFIX.length).toLowerCase();
    if (key.startsWith('s3_')) {
      const s3 = { ...((merged.s3 as Record<string, unknown> | undefined) ?? {}) };
      s3[key.slice(3)] = value;
      merged.s3 = s3;
    } else {
      merged[key] = value;
    }
  }
  return validateConfig(merged);
}

/** Validates a raw config object; throws {@link ConfigError} listing every problem. Registers secrets for redaction. */
export function validateConfig(raw: Record<string, unknown>): TargetConfig {
  const problems: string[] = [];
  if (typeof raw.password === 'string') registerSecret(raw.password);
  if (typeof raw.url === 'string') {
    try {
      const password = new URL(raw.url).password;
      if (password) {
        registerSecret(password);
        registerSecret(decodeURIComponent(password));
      }
    } catch {
      // reported below
    }
    registerSecret(raw.url);
  }
  for (const key of Object.keys(raw)) if (!KNOWN.includes(key)) problems.push(`unknown setting "${key}"`);

  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') problems.push(`"${key}" must be a string`);
    return typeof v === 'string' ? v : undefined;
  };
  const int = (key: string, fallback: number | undefined, min: number): number | undefined => {
    const v = raw[key];
    if (v === undefined || v === null || v === '') return fallback;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
      problems.push(`"${key}" must be an integer ≥ ${min}`);
      return fallback;
    }
    return n;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = raw[key];
    if (v === undefined || v === null || v === '') return fallback;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    problems.push(`"${key}" must be true or false`);
    return fallback;
  };

  const oneOf = <T extends string>(key: string, values: readonly T[]): T => {
    const v = str(key) ?? values[0];
    if (!values.includes(v as T)) problems.push(`"${key}" must be one of ${values.map((x) => `"${x}"`).join(', ')}`);
    return v as T;
  };

  const url = str('url');
  if (url && !/^(postgres(ql)?:\/\/|pglite:)/.test(url)) problems.push('"url" must start with postgres://, postgresql:// or pglite:');
  const host = str('host');
  if (!url && !host) problems.push('either "url" or "host" is required');
  const dialect = str('dialect') ?? (url?.startsWith('pglite:') ? 'postgres' : undefined);
  if (dialect !== undefined && dialect !== 'redshift' && dialect !== 'postgres') problems.push('"dialect" must be "redshift" or "postgres"');
  const schema = str('schema') ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema) || schema.length > 127) problems.push('"schema" must be a lowercase identifier ([a-z_][a-z0-9_]*, at most 127 bytes)');

  let replaceOnEof: boolean | string[] = false;
  const roe = raw.replace_on_eof;
  if (Array.isArray(roe) && roe.every((s) => typeof s === 'string')) replaceOnEof = roe as string[];
  else if (typeof roe === 'string' && roe !== 'true' && roe !== 'false' && roe !== '') replaceOnEof = roe.split(',').map((s) => s.trim()).filter(Boolean);
  else replaceOnEof = bool('replace_on_eof', false);

  let s3: S3StagingConfig | undefined;
  if (raw.s3 !== undefined && raw.s3 !== null) {
    const s = raw.s3 as Record<string, unknown>;
    if (typeof s !== 'object' || Array.isArray(s)) problems.push('"s3" must be an object');
    else {
      for (const key of Object.keys(s)) if (!['bucket', 'prefix', 'region', 'endpoint', 'iam_role'].includes(key)) problems.push(`unknown setting "s3.${key}"`);
      if (typeof s.bucket !== 'string' || !s.bucket) problems.push('"s3.bucket" is required when "s3" is set');
      for (const key of ['prefix', 'region', 'endpoint', 'iam_role']) if (s[key] !== undefined && typeof s[key] !== 'string') problems.push(`"s3.${key}" must be a string`);
      s3 = {
        bucket: String(s.bucket ?? ''),
        prefix: String(s.prefix ?? 'target-redshift').replace(/^\/+|\/+$/g, ''),
        region: String(s.region ?? 'us-east-1'),
        ...(typeof s.endpoint === 'string' ? { endpoint: s.endpoint } : {}),
        ...(typeof s.iam_role === 'string' ? { iam_role: s.iam_role } : {}),
      };
    }
  }

  const config: TargetConfig = {
    url,
    host,
    port: int('port', undefined, 1),
    user: str('user'),
    password: str('password'),
    database: str('database'),
    ssl: bool('ssl', false),
    schema,
    dialect: dialect as TargetConfig['dialect'],
    connect_timeout_seconds: int('connect_timeout_seconds', 30, 1)!,
    statement_timeout_seconds: int('statement_timeout_seconds', 3600, 0)!,
    batch_size_rows: int('batch_size_rows', 100_000, 1)!,
    batch_size_bytes: int('batch_size_bytes', 16 * 1024 * 1024, 1)!,
    batch_max_age_seconds: int('batch_max_age_seconds', 300, 0)!,
    s3,
    add_metadata_columns: bool('add_metadata_columns', false),
    hard_delete: bool('hard_delete', false),
    validate_records: bool('validate_records', true),
    max_nesting: int('max_nesting', undefined, 0),
    replace_on_eof: replaceOnEof,
    undeclared_fields: oneOf('undeclared_fields', ['evolve', 'drop', 'fail'] as const),
    missing_activate_version: oneOf('missing_activate_version', ['fail', 'activate'] as const),
    invalid_text: oneOf('invalid_text', ['fail', 'replace'] as const),
    state_id: str('state_id'),
    sort_key: oneOf('sort_key', ['key', 'none'] as const),
    dist_key: oneOf('dist_key', ['key', 'auto'] as const),
    insert_statement_bytes: int('insert_statement_bytes', 15 * 1024 * 1024, 1024)!,
  };
  if (config.insert_statement_bytes > 16_000_000) problems.push('"insert_statement_bytes" must be at most 16000000 (Redshift refuses longer statements)');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
