import { parseJsonLossless } from '../parse-message.js';
import type { SettingSchema } from './setting-builder.js';

/** The environment variable of a setting: `TAP_GITLAB_` and `api_url` → `TAP_GITLAB_API_URL`. */
export function envName(prefix: string, setting: string): string {
  return prefix + setting.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/** The JSON types a schema accepts, its `anyOf` branches' included. */
export function typesOf(schema: SettingSchema | undefined): string[] {
  if (!schema) return [];
  const own = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  return [...own, ...(schema.anyOf ?? []).flatMap((branch) => typesOf(branch))];
}

function itemsOf(schema: SettingSchema | undefined): SettingSchema | undefined {
  if (!schema) return undefined;
  if (schema.items && !Array.isArray(schema.items)) return schema.items;
  return schema.anyOf?.map(itemsOf).find((items) => items !== undefined);
}

/** Converts an environment string to the type the schema expects: numbers, booleans, JSON, or a comma list for an array. */
export function fromEnv(text: string, schema: SettingSchema | undefined): unknown {
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
      if (types.includes('array'))
        return text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((item) => fromEnv(item, itemsOf(schema)));
    }
  }
  return text;
}

/**
 * The settings `<PREFIX><SETTING>` variables give, converted to their types. An object setting with declared
 * properties also takes one variable per property (`s3.bucket` ← `TARGET_REDSHIFT_S3_BUCKET`), merged into
 * what `base` holds for it.
 */
export function envOverrides(schema: SettingSchema, prefix: string, env: NodeJS.ProcessEnv, base: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {}) as [string, SettingSchema][]) {
    const whole = env[envName(prefix, name)];
    if (whole !== undefined) out[name] = fromEnv(whole, property);
    if (property.properties) {
      const inner = envOverrides(property, envName(prefix, name) + '_', env);
      if (Object.keys(inner).length > 0) {
        const current = out[name] ?? base[name];
        out[name] = { ...(typeof current === 'object' && current !== null && !Array.isArray(current) ? current : {}), ...inner };
      }
    }
  }
  return out;
}

/** Every variable name a declaration reads (nested object settings' included). */
function knownNames(schema: SettingSchema, prefix: string, out = new Set<string>()): Set<string> {
  for (const [name, property] of Object.entries(schema.properties ?? {}) as [string, SettingSchema][]) {
    out.add(envName(prefix, name));
    if (property.properties) knownNames(property, envName(prefix, name) + '_', out);
  }
  return out;
}

/**
 * `<PREFIX>*` variables that name no declared setting, as the settings they would be (`TARGET_REDSHIFT_COLOUR` →
 * `colour`, `TARGET_REDSHIFT_S3_COLOUR` → `s3.colour`), so that validation reports a misspelt variable as an unknown
 * setting instead of ignoring it.
 */
export function unknownEnvSettings(schema: SettingSchema, prefix: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const known = knownNames(schema, prefix);
  const objects = (Object.entries(schema.properties ?? {}) as [string, SettingSchema][]).filter(([, p]) => p.properties).map(([name]) => name);
  const out: Record<string, unknown> = {};
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(prefix) || known.has(variable) || value === undefined) continue;
    const key = variable.slice(prefix.length).toLowerCase();
    const parent = objects.find((name) => key.startsWith(`${name}_`));
    if (parent) out[parent] = { ...(out[parent] as object | undefined), [key.slice(parent.length + 1)]: value };
    else out[key] = value;
  }
  return out;
}
