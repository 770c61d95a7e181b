import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { ConfigError } from '../errors.js';
import { parseJsonLossless } from '../parse-message.js';
import { registerSecret } from '../secret-redaction.js';
import { configProblems } from './config-problems.js';
import { envOverrides, typesOf, unknownEnvSettings } from './env-overrides.js';
import type { Declared, SettingSchema, SettingsOf } from './setting-builder.js';

// ajv-formats is CommonJS with a default export: under NodeNext the default import may be the module object.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as unknown as (ajv: Ajv) => Ajv;

/** Options of {@link validateSettings}. */
export interface ValidateSettingsOptions {
  /** Accept strings for numbers and booleans (`"5432"`, `"true"`), as configs interpolated from the environment hold; default false. */
  coerceTypes?: boolean;
  /** Treat `null` and `""` as an absent setting (so its default applies); default false. */
  blankIsUnset?: boolean;
  /** What a program does to the raw settings before validation, for what a schema cannot say (a comma list in a file). */
  prepare?: (raw: Record<string, unknown>) => Record<string, unknown>;
}

/** Options of {@link loadSettings}. */
export interface LoadSettingsOptions extends ValidateSettingsOptions {
  /** JSON file of settings; optional when the environment or `overrides` give every required setting. */
  path?: string;
  /** Prefix of the environment overrides, e.g. `TAP_GITLAB_` or `TARGET_REDSHIFT_`. */
  envPrefix: string;
  /** Environment; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Settings given on the command line: applied over the file and the environment. */
  overrides?: Record<string, unknown>;
  /** Report `<PREFIX>*` variables that name no setting as unknown settings (a misspelt variable is not ignored); default false. */
  strictEnv?: boolean;
}

const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(schema: SettingSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    // `verbose` gives each error its schema, for `errorMessage`; `secret` and `errorMessage` are annotations.
    const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false, logger: false });
    addFormats(ajv);
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** A copy of plain objects and arrays (defaults are filled in place, and callers' objects stay untouched). */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
  }
  return value;
}

/**
 * Numbers and booleans given as text (`"5432"`, `"true"`: what `${VAR}` interpolation yields) as their values, where the
 * schema takes a number or a boolean and no string. Other values are left for validation to judge.
 */
export function coerceText(schema: SettingSchema, value: unknown): unknown {
  if (typeof value === 'string') {
    const types = typesOf(schema);
    if (types.includes('string')) return value;
    if ((types.includes('integer') || types.includes('number')) && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(value)) return Number(value);
    if (types.includes('boolean') && /^(true|false|1|0)$/i.test(value)) return /^(true|1)$/i.test(value);
    return value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !schema.properties) return value;
  const properties = schema.properties as Record<string, SettingSchema>;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, properties[k] ? coerceText(properties[k], v) : v]));
}

function withoutBlanks(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== '')
      .map(([k, v]) => [k, withoutBlanks(v)]),
  );
}

/**
 * The declaration with the settings named in `names` marked `secret: true`: for programs still listing their secrets
 * apart (the deprecated `secrets` of a tap or job definition).
 */
export function withSecretNames<S extends SettingSchema>(schema: S, names: readonly string[] | undefined): S {
  if (!names?.length) return schema;
  const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, p]) => [name, names.includes(name) ? { ...p, secret: true } : p]));
  return { ...schema, properties };
}

/** Registers the values of the settings the declaration marks `secret` (nested ones too) for redaction. */
export function registerSecretSettings(schema: SettingSchema, values: unknown): void {
  if (typeof values !== 'object' || values === null) return;
  for (const [name, property] of Object.entries(schema.properties ?? {}) as [string, SettingSchema][]) {
    const value = (values as Record<string, unknown>)[name];
    if (property.secret) for (const v of Array.isArray(value) ? value : [value]) registerSecret(v);
    if (property.properties) registerSecretSettings(property, value);
  }
}

/**
 * Validates raw settings against their declaration, listing every problem at once, and applies its defaults.
 * Secrets are registered first: a problem's text must not echo one either.
 * @throws ConfigError with every problem
 */
export function validateSettings<S extends Declared<unknown>>(schema: S, raw: unknown, options: ValidateSettingsOptions = {}): SettingsOf<S> {
  const prepared = options.prepare && typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? options.prepare(raw as Record<string, unknown>) : raw;
  const copied = options.blankIsUnset ? withoutBlanks(copy(prepared)) : copy(prepared);
  const settings = options.coerceTypes ? coerceText(schema, copied) : copied;
  registerSecretSettings(schema, settings);
  const validate = validatorOf(schema);
  if (!validate(settings)) throw new ConfigError(configProblems(validate.errors ?? []));
  return settings as SettingsOf<S>;
}

/** Reads a JSON settings file (numbers a double cannot hold kept exact), which must hold an object. */
export function readSettingsFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read config file ${path}: ${(error as Error).message}`], { cause: error });
  }
  let data: unknown;
  try {
    data = parseJsonLossless(text);
  } catch (error) {
    throw new ConfigError([`config file ${path} is not valid JSON: ${(error as Error).message}`], { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ConfigError([`config file ${path} must hold a JSON object`]);
  return data as Record<string, unknown>;
}

/**
 * The one settings loader of every program: the file, then `<PREFIX><SETTING>` environment variables, then
 * command-line `overrides`, then the declaration's defaults; secrets registered, every problem listed at once.
 * @throws ConfigError with every problem
 */
export function loadSettings<S extends Declared<unknown>>(schema: S, options: LoadSettingsOptions): SettingsOf<S> {
  const fromFile = options.path ? readSettingsFile(options.path) : {};
  const defined = Object.fromEntries(Object.entries(options.overrides ?? {}).filter(([, v]) => v !== undefined));
  const env = options.env ?? process.env;
  const merged: Record<string, unknown> = { ...fromFile, ...envOverrides(schema, options.envPrefix, env, fromFile), ...defined };
  if (options.strictEnv) {
    for (const [key, value] of Object.entries(unknownEnvSettings(schema, options.envPrefix, env))) {
      const current = merged[key];
      merged[key] = typeof value === 'object' && typeof current === 'object' && current !== null ? { ...current, ...value } : value;
    }
  }
  return validateSettings(schema, merged, options);
}
