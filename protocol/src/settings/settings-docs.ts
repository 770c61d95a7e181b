import { envName, typesOf } from './env-overrides.js';
import type { SettingSchema } from './setting-builder.js';
import { flagName, flagType } from './setting-flags.js';

/** One setting as `--help`, `--about` and the README show it. */
export interface SettingRow {
  /** Name; a nested setting is dotted (`s3.bucket`). */
  name: string;
  /** Its environment variable (for programs that read settings from the environment). */
  env?: string;
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
    .map((t) =>
      t === 'array' && schema.items && !Array.isArray(schema.items)
        ? `${typeLabel(schema.items).includes(' | ') ? `(${typeLabel(schema.items)})` : typeLabel(schema.items)}[]`
        : t,
    )
    .join(' | ');
}

/** Every setting of a declaration, nested object settings' properties included, in declaration order. */
export function settingRows(schema: SettingSchema, envPrefix: string | undefined, prefix = ''): SettingRow[] {
  const required = new Set(schema.required ?? []);
  const rows: SettingRow[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {}) as [string, SettingSchema][]) {
    const env = envPrefix === undefined ? undefined : envName(envPrefix, name);
    rows.push({
      name: prefix + name,
      ...(env ? { env } : {}),
      type: typeLabel(property),
      required: required.has(name),
      secret: property.secret === true,
      ...(property.description ? { description: property.description } : {}),
      ...(property.default !== undefined ? { default: property.default } : {}),
    });
    if (property.properties) rows.push(...settingRows(property, env === undefined ? undefined : env + '_', `${prefix}${name}.`));
    // The keys of a list of objects (a pipeline's steps), read from files only.
    const items = property.items as SettingSchema | undefined;
    if (items && !Array.isArray(items) && items.properties) rows.push(...settingRows(items, undefined, `${prefix}${name}[].`));
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
export function settingsHelp(schema: SettingSchema, envPrefix: string | undefined, title?: string): string {
  const rows = settingRows(schema, envPrefix);
  const lines = rows.map((row) => {
    const marks = [
      row.type,
      row.required ? 'required' : undefined,
      row.secret ? 'secret' : undefined,
      row.default !== undefined ? `default ${JSON.stringify(row.default)}` : undefined,
    ].filter(Boolean);
    // The name alone on its line: help text is wrapped at 80 columns, and names and variables can be long.
    return `  ${row.name}\n      ${row.env ? `${row.env}: ` : ''}${marks.join(', ')}${row.description ? `\n      ${row.description}` : ''}`;
  });
  const heading = title ?? (envPrefix === undefined ? 'Settings (the --config file):' : `Settings (the --config file, then ${envPrefix}<SETTING> variables):`);
  return `${heading}\n${lines.join('\n')}\n\nExample: ${JSON.stringify(exampleOf(schema))}`;
}

// Markdown table cells: `|` would end the cell, `<dir>` would read as an HTML tag.
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '\\<').replace(/\n/g, ' ');

/** Options of {@link settingsTable}. */
export interface SettingsTableOptions {
  /** Add a column with each scalar top-level setting's command-line flag (`bills_bucket` → `--bills-bucket`), for programs that take them. */
  flags?: boolean;
}

/** The README's settings table (Markdown), generated from the declaration: `npm run docs` writes it. */
export function settingsTable(schema: SettingSchema, envPrefix: string | undefined, options: SettingsTableOptions = {}): string {
  const rows = settingRows(schema, envPrefix);
  const properties = (schema.properties ?? {}) as Record<string, SettingSchema>;
  const flagOf = (name: string) => (properties[name] && flagType(properties[name]) ? `\`--${flagName(name)}\`` : '');
  const env = envPrefix !== undefined;
  const lines = [
    `| Setting |${options.flags ? ' Flag |' : ''}${env ? ' Environment variable |' : ''} Type | Default | Description |`,
    `| --- |${options.flags ? ' --- |' : ''}${env ? ' --- |' : ''} --- | --- | --- |`,
    ...rows.map((row) => {
      const flags = [row.required ? '**required**' : '', row.secret ? '*secret*' : ''].filter(Boolean).join(', ');
      const description = [flags, row.description ?? ''].filter(Boolean).join(' ');
      const flag = options.flags ? ` ${flagOf(row.name)} |` : '';
      const variable = env ? ` ${row.env ? `\`${row.env}\`` : ''} |` : '';
      return `| \`${row.name}\` |${flag}${variable} ${cell(row.type)} | ${row.default === undefined ? '' : `\`${cell(JSON.stringify(row.default))}\``} | ${cell(description)} |`;
    }),
  ];
  // A rule across settings (one of two is required) is worded once, in the declaration's errorMessage.
  const rule = typeof schema.errorMessage === 'object' ? schema.errorMessage.anyOf : undefined;
  if (rule) lines.push('', `Also: ${rule.replace(/^\$\{path\}: /, '')}.`);
  return lines.join('\n');
}

/** Markers around the generated settings table in a README. */
export const SETTINGS_TABLE_MARKERS = {
  start: '<!-- settings:start (generated by npm run docs from the settings declaration) -->',
  end: '<!-- settings:end -->',
} as const;

/** `readme` with the text between the settings markers replaced by `table`; `undefined` when the markers are missing. */
export function withSettingsTable(readme: string, table: string): string | undefined {
  const start = readme.indexOf(SETTINGS_TABLE_MARKERS.start);
  const end = readme.indexOf(SETTINGS_TABLE_MARKERS.end);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + SETTINGS_TABLE_MARKERS.start.length)}\n${table}\n${readme.slice(end)}`;
}
