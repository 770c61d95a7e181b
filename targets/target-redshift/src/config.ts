import { loadSettings, setting, validateSettings, type SettingsOf } from '@observes/protocol';
import { DIALECTS } from './dialects/registry.js';

export { ConfigError } from '@observes/protocol';

/** The SQL dialects `dialect` accepts: the registry's names, read when a config is checked (a dialect may be registered later). */
const dialectNames = (): string[] => Object.keys(DIALECTS);

/** Prefix of target-redshift's environment overrides (`TARGET_REDSHIFT_S3_BUCKET` for `s3.bucket`). */
export const ENV_PREFIX = 'TARGET_REDSHIFT_';

// The wording of target-redshift's problems, which its users know: `"<setting>" must be …`.
const quoted = (values: readonly string[], last: string) => values.map((v) => `"${v}"`).join(values.length === 2 ? ` ${last} ` : ', ');
const mustBe = (name: string, what: string) => ({ errorMessage: `"${name}" must be ${what}` });
const integer = <const D extends number | undefined = undefined>(name: string, minimum: number, description: string, defaultValue?: D) =>
  setting.integer({
    minimum,
    description,
    ...(defaultValue === undefined ? {} : { default: defaultValue as number }),
    ...mustBe(name, `an integer ≥ ${minimum}`),
  }) as D extends number ? ReturnType<typeof setting.integer<{ default: number }>> : ReturnType<typeof setting.integer<{}>>;
const flag = (name: string, defaultValue: boolean, description: string) =>
  setting.boolean({ default: defaultValue, description, ...mustBe(name, 'true or false') });
const choice = <const E extends readonly string[]>(name: string, values: E, description: string) =>
  setting.enum(values, { default: values[0], description, ...mustBe(name, `one of ${quoted(values, 'or').replace(' or ', ', ')}`) });

const s3Staging = setting.object(
  {
    bucket: setting.string({ minLength: 1, required: true, description: 'bucket the gzip CSV files are written to', ...mustBe('s3.bucket', 'a string') }),
    prefix: setting.string({ default: 'target-redshift', description: 'key prefix (no leading or trailing slash needed)', ...mustBe('s3.prefix', 'a string') }),
    region: setting.string({ default: 'us-east-1', description: 'AWS region of the bucket', ...mustBe('s3.region', 'a string') }),
    endpoint: setting.string({
      description: 'custom endpoint (an S3-compatible server); path-style addressing is used with it',
      ...mustBe('s3.endpoint', 'a string'),
    }),
    iam_role: setting.string({
      description:
        'IAM role Redshift assumes to read the files (IAM_ROLE of the COPY); without it the redshift dialect does not stage (multi-row INSERTs) and s3 only serves --from-s3 reads',
      ...mustBe('s3.iam_role', 'a string'),
    }),
  },
  {
    description: "S3 staging for the redshift dialect's COPY; without it, multi-row INSERTs",
    errorMessage: {
      type: '"s3" must be an object',
      required: '"s3.bucket" is required when "s3" is set',
      additionalProperties: 'unknown setting "s3.${property}"',
    },
  },
);

/** target-redshift's settings, for the dialects given. */
const declare = (dialects: readonly string[]) =>
  setting.object(
    {
      url: setting.string({
        secret: true,
        pattern: '^(postgres(ql)?://|pglite:)',
        description:
          'postgres://user:pass@host:port/db, or pglite:<dir> for the embedded warehouse (in-process PGlite); else host, port, user, password and database',
        examples: ['postgres://loader:secret@warehouse.example:5439/observes'],
        errorMessage: { type: '"url" must be a string', pattern: '"url" must start with postgres://, postgresql:// or pglite:' },
      }),
      host: setting.string({ description: 'server host (when no url)', ...mustBe('host', 'a string') }),
      port: integer('port', 1, 'server port (when no url)'),
      user: setting.string({ description: 'user name (when no url)', ...mustBe('user', 'a string') }),
      password: setting.string({ secret: true, description: 'password (when no url)', ...mustBe('password', 'a string') }),
      database: setting.string({ description: 'database (when no url)', ...mustBe('database', 'a string') }),
      ssl: flag('ssl', false, 'use TLS to the server'),
      dialect: setting.enum(dialects as [string, ...string[]], {
        description:
          "SQL dialect, a name in the dialect registry; default the server's, read at connect (Redshift names itself in version()), postgres for pglite:. A dialect the server cannot run (postgres on Redshift, redshift on a PostgreSQL without a super type) is refused at connect naming dialect (exit 2)",
        ...mustBe('dialect', dialects.map((d) => `"${d}"`).join(' or ')),
      }),
      schema: setting.string({
        default: 'public',
        pattern: '^[a-z_][a-z0-9_]*$',
        maxLength: 127,
        description: 'target schema, created if missing',
        ...mustBe('schema', 'a lowercase identifier ([a-z_][a-z0-9_]*, at most 127 bytes)'),
      }),
      s3: s3Staging,
      connect_timeout_seconds: integer(
        'connect_timeout_seconds',
        1,
        'seconds to wait for the server to accept the connection and the login; then the run fails naming the host and the setting',
        30,
      ),
      statement_timeout_seconds: integer(
        'statement_timeout_seconds',
        0,
        'longest a statement may run, in seconds: the server cancels it (SET statement_timeout), and a server that stops answering is given up on 2 s later, naming the host, the setting and the statement; 0: no limit',
        3600,
      ),
      batch_size_rows: integer('batch_size_rows', 1, "flush when a stream's batch holds this many records", 100_000),
      batch_size_bytes: integer(
        'batch_size_bytes',
        1,
        'flush when the batches hold this many bytes of input (UTF-16 units of the lines): bounds memory whatever the stream length',
        16 * 1024 * 1024,
      ),
      batch_max_age_seconds: integer(
        'batch_max_age_seconds',
        0,
        'flush (and echo state) when the oldest buffered record is this old, even if the tap is idle',
        300,
      ),
      add_metadata_columns: flag(
        'add_metadata_columns',
        false,
        'add _sdc_extracted_at, _sdc_received_at, _sdc_batched_at, _sdc_deleted_at, _sdc_sequence and _sdc_table_version columns to root tables',
      ),
      hard_delete: flag(
        'hard_delete',
        false,
        'a record with _sdc_deleted_at set deletes its row and its child rows instead of being stored (root tables get an _sdc_deleted_at column)',
      ),
      validate_records: flag('validate_records', true, 'check records against their schema (a bad record fails the run naming its line)'),
      max_nesting: integer('max_nesting', 0, 'nesting levels flattened; deeper objects and lists go to a json (SUPER/jsonb) column; default unlimited'),
      replace_on_eof: setting.anyOf([setting.boolean(), setting.array(setting.string())], {
        default: false,
        description: 'replace these streams (true: all; a list or a comma list) at the end of input, for taps that never send ACTIVATE_VERSION',
        ...mustBe('replace_on_eof', 'true or false'),
      }),
      undeclared_fields: choice(
        'undeclared_fields',
        ['evolve', 'drop', 'fail'] as const,
        'record fields the schema does not declare: evolve adds their columns (types inferred from the values), drop stores them nowhere (a warning per field), fail fails the run',
      ),
      missing_activate_version: choice(
        'missing_activate_version',
        ['fail', 'activate'] as const,
        'records of a version whose ACTIVATE_VERSION has not come when the input ends: fail exits non-zero naming the stream, tables as they were and no state confirmed; activate swaps them in',
      ),
      invalid_text: choice(
        'invalid_text',
        ['fail', 'replace'] as const,
        'text no warehouse stores (bytes that are not UTF-8, lone surrogates, NUL): fail refuses the input naming the line, key and column; replace stores U+FFFD, logging how many',
      ),
      state_id: setting.string({
        description: "pipeline id the committed state is filed under in the schema's _sdc_state table; default the runner's OBSERVES_PIPELINE, else the schema",
        ...mustBe('state_id', 'a string'),
      }),
      sort_key: choice(
        'sort_key',
        ['key', 'none'] as const,
        "sort key of new tables of keyed streams: key sorts by the key columns (a child table by its _sdc_source_key_* columns), so the merge's DELETE ... USING reads only the blocks the batch's keys can be in (Redshift COMPOUND SORTKEY; PostgreSQL a BRIN index on the first key column); none: no sort key",
      ),
      dist_key: choice(
        'dist_key',
        ['key', 'auto'] as const,
        "distribution of new tables of keyed streams (Redshift): key puts DISTKEY on the first key column (a child table's first _sdc_source_key_* column), so a root row, its child rows and the merge's staged rows share a slice; auto: DISTSTYLE AUTO. PostgreSQL ignores it",
      ),
      insert_statement_bytes: setting.integer({
        default: 15 * 1024 * 1024,
        minimum: 1024,
        maximum: 16_000_000,
        description: 'largest multi-row INSERT statement of the redshift dialect without S3 staging, in bytes (Redshift refuses statements over 16 MB)',
        errorMessage: {
          type: '"insert_statement_bytes" must be an integer ≥ 1024',
          minimum: '"insert_statement_bytes" must be an integer ≥ 1024',
          maximum: '"insert_statement_bytes" must be at most 16000000 (Redshift refuses longer statements)',
        },
      }),
      workers: setting.integer({
        minimum: 0,
        maximum: 64,
        description:
          'worker threads that parse, check, flatten and CSV-encode records while the main thread loads (COPY dialects; 0: all on the main thread). Default: the CPUs less one (less two with S3 staging), at most 3, so none on 1 CPU and 1 on 2 (0 with S3 staging)',
        errorMessage: {
          type: '"workers" must be an integer from 0 to 64',
          minimum: '"workers" must be an integer from 0 to 64',
          maximum: '"workers" must be an integer from 0 to 64',
        },
      }),
    },
    {
      anyOf: [{ required: ['url'] }, { required: ['host'] }],
      errorMessage: { anyOf: 'either "url" or "host" is required', additionalProperties: 'unknown setting "${property}"' },
    },
  );

let declared = { names: '', settings: declare(dialectNames()) };

/** The declaration for the dialects registered now (a dialect may be registered after this module loads). */
function currentSettings(): typeof declared.settings {
  const names = dialectNames().join(',');
  if (declared.names !== names) declared = { names, settings: declare(dialectNames()) };
  return declared.settings;
}

/**
 * target-redshift's settings, declared once (the `--config` file, then `TARGET_REDSHIFT_<SETTING>` variables, nested
 * ones as `TARGET_REDSHIFT_S3_BUCKET`): the type {@link TargetConfig}, validation, `--help`, `--about` and the README's
 * table derive from it. `dialect` lists the dialect registry's names.
 */
export const targetSettings = currentSettings();

/** The validated configuration of target-redshift. */
export type TargetConfig = SettingsOf<typeof targetSettings>;

/** S3 staging for Redshift's `COPY ... FROM 's3://...'`. */
export type S3StagingConfig = NonNullable<TargetConfig['s3']>;

/** What the declaration cannot say: a comma list of streams for `replace_on_eof`. */
function withStreamList(raw: Record<string, unknown>): Record<string, unknown> {
  const roe = raw.replace_on_eof;
  if (typeof roe !== 'string' || /^(true|false|1|0|)$/i.test(roe)) return raw;
  return {
    ...raw,
    replace_on_eof: roe
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

/** Derived values: the dialect of `pglite:`, a prefix without slashes; every declared setting present (`undefined` when unset). */
function resolved(config: TargetConfig): TargetConfig {
  const out = Object.fromEntries(Object.keys(currentSettings().properties ?? {}).map((key) => [key, undefined])) as unknown as TargetConfig;
  Object.assign(out, config);
  if (out.dialect === undefined && out.url?.startsWith('pglite:')) out.dialect = 'postgres';
  if (out.s3) out.s3 = { ...out.s3, prefix: out.s3.prefix.replace(/^\/+|\/+$/g, '') };
  return out;
}

// Configs interpolated from the environment by the runner hold text for numbers and booleans; blanks are unset.
const OPTIONS = { coerceTypes: true, blankIsUnset: true, prepare: withStreamList } as const;

/** Reads the config file (when given) and overlays `TARGET_REDSHIFT_<SETTING>` environment variables (S3: `TARGET_REDSHIFT_S3_BUCKET`...). */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): TargetConfig {
  // As ever, a TARGET_REDSHIFT_ variable that names no setting is an unknown setting, not ignored.
  return resolved(loadSettings(currentSettings(), { path: file, envPrefix: ENV_PREFIX, env, strictEnv: true, ...OPTIONS }));
}

/** Validates a raw config object; throws `ConfigError` listing every problem. Registers secrets for redaction. */
export function validateConfig(raw: Record<string, unknown>): TargetConfig {
  return resolved(validateSettings(currentSettings(), raw, OPTIONS));
}
