import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseJsonLossless, registerSecret, type JsonSchema } from '@observes/protocol';

// ajv-formats is CommonJS with a default export: under NodeNext the default import may be the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** A config that breaks the tap's config schema: `problems` lists every error at once. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** `TAP_<NAME>_` prefix of a tap's environment overrides: `gitlab` → `TAP_GITLAB_`. */
export function envPrefix(tapName: string): string {
  return `TAP_${tapName.replace(/^tap-/, '').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}_`;
}

function typesOf(schema: JsonSchema | undefined): string[] {
  if (!schema?.type) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** Converts an environment string to the type the config schema expects for that setting. */
function fromEnv(text: string, schema: JsonSchema | undefined): unknown {
  const types = typesOf(schema);
  if (types.includes('integer') || types.includes('number')) {
    const n = Number(text);
    if (text.trim() !== '' && !Number.isNaN(n)) return n;
  }
  if (types.includes('boolean') && /^(true|false|1|0)$/i.test(text)) return /^(true|1)$/i.test(text);
  if (types.includes('array') || types.includes('object')) {
    try {
      return parseJsonLossless(text);
    } catch {
      // A comma-separated list is the friendly way to give an array in an environment variable.
      if (types.includes('array')) {
        const items = Array.isArray(schema?.items) ? undefined : schema?.items;
        return text.split(',').map((s) => s.trim()).filter(Boolean).map((item) => fromEnv(item, items));
      }
    }
  }
  return text;
}

/**
 * Applies `TAP_<NAME>_<SETTING>` environment variables over `config`, for every setting of the schema
 * (`api_url` ← `TAP_GITLAB_API_URL`). Values are converted to the setting's type (numbers, booleans, JSON or comma lists).
 */
export function applyEnvOverrides(
  config: Record<string, unknown>,
  tapName: string,
  schema: JsonSchema,
  env: NodeJS.ProcessEnv = process.env,
  prefix: string = envPrefix(tapName),
): Record<string, unknown> {
  const out = { ...config };
  for (const [setting, settingSchema] of Object.entries(schema.properties ?? {})) {
    const value = env[prefix + setting.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()];
    if (value !== undefined) out[setting] = fromEnv(value, settingSchema);
  }
  return out;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '/';
  if (error.keyword === 'required') return `${where}: missing required setting "${(error.params as { missingProperty: string }).missingProperty}"`;
  if (error.keyword === 'additionalProperties') return `${where}: unknown setting "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  return `${where}: ${error.message ?? error.keyword}`;
}

/** Validates `config` against `schema` with every error listed (applies schema defaults in place). */
export function validateConfig(config: Record<string, unknown>, schema: JsonSchema): Record<string, unknown> {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  if (!validate(config)) throw new ConfigError((validate.errors ?? []).map(describe));
  return config;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path of the JSON config file; optional when the environment provides every setting. */
  path?: string;
  /** Tap short name, for the environment prefix. */
  tapName: string;
  /** The tap's config schema. */
  schema: JsonSchema;
  /** Config fields to register as secrets. */
  secrets?: string[];
  /** Environment; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Prefix of the environment overrides; default `TAP_<NAME>_` (jobs use `<JOB_NAME>_`). */
  envPrefix?: string;
  /** Settings given on the command line: applied over the file and the environment. */
  overrides?: Record<string, unknown>;
}

/** Reads the config file, applies environment overrides, command-line overrides and defaults, validates it and registers its secrets. */
export function loadConfig(options: LoadConfigOptions): Record<string, unknown> {
  let fromFile: Record<string, unknown> = {};
  if (options.path) {
    let text: string;
    try {
      text = readFileSync(options.path, 'utf8');
    } catch (error) {
      throw new ConfigError([`cannot read config file ${options.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
    }
    try {
      fromFile = parseJsonLossless(text) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError([`config file ${options.path} is not valid JSON: ${(error as Error).message}`]);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) throw new ConfigError([`config file ${options.path} must hold a JSON object`]);
  }
  const config = { ...applyEnvOverrides(fromFile, options.tapName, options.schema, options.env, options.envPrefix), ...options.overrides };
  // Register before validating: a validation message must not echo a secret either.
  for (const key of options.secrets ?? []) registerSecret(config[key]);
  return validateConfig(config, options.schema);
}
