import { envName, typesOf } from './env-overrides.js';
import type { SettingSchema } from './setting-builder.js';
import { flagName, flagType } from './setting-flags.js';

/** One setting as `--help`, `--about` and the README show it. */
export interface SettingRow {
  /** Name; a nested setting is dotted (`s3.bucket`). */
  name: string;
  /** Its environment variable. */
  env: string;
  /** Its type, as people read it (`integer`, `string[]`, `"fail" | "activate"`). */
  type: string;
  /** Whether it must be given. */
  required: boolean;
  /** Whether its value is a credential (redacted everywhere). */
  secret: boolean;
  /** What it does. */
  description?: string;
  /** Its default. */
  default?: unknown;
}

/** How a schema's type reads: `string`, `integer`, `string[]`, `"a" | "b"`, `boolean | string[]`. */
export function typeLabel(schema: SettingSchema): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.anyOf) return [...new Set(schema.anyOf.map(typeLabel))].join(' | ');
  const types = typesOf({ type: schema.type } as SettingSchema);
  if (types.length === 0) return 'any';
  return types
    .map((t) => (t === 'array' && schema.items && !Array.isArray(schema.items) ? `${typeLabel(schema.items).includes(' | ') ? `(${typeLabel(schema.items)})` : typeLabel(schema.items)}[]` : t))
    .join(' | ');
}

/** Every setting of a declaration, nested object settings' properties included, in declaration order. */
export function settingRows(schema: SettingSchema, envPrefix: string, prefix = ''): SettingRow[] {
  const required = new Set(schema.required ?? []);
  const rows: SettingRow[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {}) as [string, SettingSchema][]) {
    const env = envName(envPrefix, name);
    rows.push({
      name: prefix + name,
      env,
      type: typeLabel(property),
      required: required.has(name),
      secret: property.secret === true,
      ...(property.description ? { description: property.description } : {}),
      ...(property.default !== undefined ? { default: property.default } : {}),
    });
    if (property.properties) rows.push(...settingRows(property, env + '_', `${prefix}${name}.`));
  }
  return rows;
}

function exampleValue(schema: SettingSchema, name: string): unknown {
  if (schema.examples?.length) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const type = typesOf(schema)[0];
  if (type === 'integer' || type === 'number') return typeof schema.minimum === 'number' ? schema.minimum : 1;
  if (type === 'boolean') return true;
  if (type === 'array') return [];
  if (type === 'object') return schema.properties ? exampleOf(schema) : {};
  return `<${name}>`;
}

/** An example settings object: every required setting (and the required properties of object settings), with an example value. */
export function exampleOf(schema: SettingSchema): Record<string, unknown> {
  const required = new Set(schema.required ?? []);
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {}) as [string, SettingSchema][]) {
    if (required.has(name) || property.examples?.length) out[name] = exampleValue(property, name);
  }
  return out;
}

/**
 * The settings part of `--help`: each setting with its variable, type, default and whether it is required or
 * secret, then an example config file.
 */
export function settingsHelp(schema: SettingSchema, envPrefix: string): string {
  const rows = settingRows(schema, envPrefix);
  const lines = rows.map((row) => {
    const marks = [row.type, row.required ? 'required' : undefined, row.secret ? 'secret' : undefined, row.default !== undefined ? `default ${JSON.stringify(row.default)}` : undefined].filter(Boolean);
    return `  ${row.name} (${row.env}; ${marks.join(', ')})${row.description ? `\n      ${row.description}` : ''}`;
  });
  return `Settings (the --config file, then ${envPrefix}<SETTING> variables):\n${lines.join('\n')}\n\nExample config: ${JSON.stringify(exampleOf(schema))}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Options of {@link settingsTable}. */
export interface SettingsTableOptions {
  /** Add a column with each scalar top-level setting's command-line flag (`bills_bucket` → `--bills-bucket`), for programs that take them. */
  flags?: boolean;
}

/** The README's settings table (Markdown), generated from the declaration: `npm run docs` writes it. */
export function settingsTable(schema: SettingSchema, envPrefix: string, options: SettingsTableOptions = {}): string {
  const rows = settingRows(schema, envPrefix);
  const properties = (schema.properties ?? {}) as Record<string, SettingSchema>;
  const flagOf = (name: string) => (properties[name] && flagType(properties[name]) ? `\`--${flagName(name)}\`` : '');
  const lines = [
    `| Setting |${options.flags ? ' Flag |' : ''} Environment variable | Type | Default | Description |`,
    `| --- |${options.flags ? ' --- |' : ''} --- | --- | --- | --- |`,
    ...rows.map((row) => {
      const flags = [row.required ? '**required**' : '', row.secret ? '*secret*' : ''].filter(Boolean).join(', ');
      const description = [flags, row.description ?? ''].filter(Boolean).join(' ');
      const flag = options.flags ? ` ${flagOf(row.name)} |` : '';
      return `| \`${row.name}\` |${flag} \`${row.env}\` | ${cell(row.type)} | ${row.default === undefined ? '' : `\`${cell(JSON.stringify(row.default))}\``} | ${cell(description)} |`;
    }),
  ];
  return lines.join('\n');
}

/** Markers around the generated settings table in a README. */
export const SETTINGS_TABLE_MARKERS = { start: '<!-- settings:start (generated by npm run docs from the settings declaration) -->', end: '<!-- settings:end -->' } as const;

/** `readme` with the text between the settings markers replaced by `table`; `undefined` when the markers are missing. */
export function withSettingsTable(readme: string, table: string): string | undefined {
  const start = readme.indexOf(SETTINGS_TABLE_MARKERS.start);
  const end = readme.indexOf(SETTINGS_TABLE_MARKERS.end);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + SETTINGS_TABLE_MARKERS.start.length)}\n${table}\n${readme.slice(end)}`;
}
