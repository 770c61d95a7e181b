import {
  ConfigError,
  envOverrides,
  loadSettings,
  validateSettings,
  withSecretNames,
  type Declared,
  type JsonSchema,
  type SettingSchema,
  type SettingsOf,
} from '@observes/protocol';

/**
 * Tap naming over the one settings loader of `@observes/protocol` (`loadSettings`): the `TAP_<NAME>_` prefix.
 * A tap declares its settings once with `setting` (from `@observes/protocol`), secrets marked `secret: true`.
 */
export { ConfigError };

/** `TAP_<NAME>_` prefix of a tap's environment overrides: `gitlab` → `TAP_GITLAB_`. */
export function envPrefix(tapName: string): string {
  return `TAP_${tapName
    .replace(/^tap-/, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase()}_`;
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
  return { ...config, ...envOverrides(schema, prefix, env, config) };
}

/** Validates `config` against `schema` with every error listed (defaults applied). */
export function validateConfig<S extends Declared<unknown>>(config: Record<string, unknown>, schema: S): SettingsOf<S> {
  return validateSettings(schema, config);
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions<S extends SettingSchema = SettingSchema> {
  /** Path of the JSON config file; optional when the environment provides every setting. */
  path?: string;
  /** Tap short name, for the environment prefix. */
  tapName: string;
  /** The tap's settings declaration (secrets marked `secret: true`). */
  schema: S;
  /** @deprecated mark the settings `secret: true` in the declaration instead. */
  secrets?: string[];
  /** Environment; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Prefix of the environment overrides; default `TAP_<NAME>_` (jobs use `<JOB_NAME>_`). */
  envPrefix?: string;
  /** Settings given on the command line: applied over the file and the environment. */
  overrides?: Record<string, unknown>;
}

/** {@link loadSettings} with the tap's `TAP_<NAME>_` prefix: file, environment, command line, defaults; every problem listed, secrets registered. */
export function loadConfig<S extends SettingSchema>(options: LoadConfigOptions<S>): SettingsOf<S> {
  return loadSettings(withSecretNames(options.schema, options.secrets) as Declared<unknown>, {
    path: options.path,
    envPrefix: options.envPrefix ?? envPrefix(options.tapName),
    env: options.env,
    overrides: options.overrides,
  }) as SettingsOf<S>;
}
