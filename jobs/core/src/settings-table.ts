import type { JsonSchema } from '@observes/protocol';
import { jobEnvPrefix, type JobDefinition } from './job-definition.js';
import { flagName, flagType, variableName } from './setting-flags.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return (schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(' \\| ');
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'any'];
  return types.filter((t) => t !== 'null').join(' \\| ') + (types.includes('array') && schema.items && !Array.isArray(schema.items) ? ` of ${String(schema.items.type)}` : '');
}

/**
 * The Markdown table of a job's settings, from its declaration: each setting's flag, variable, type,
 * default and description. Job READMEs hold it verbatim (a test checks), so the docs cannot drift.
 */
export function settingsTable(job: JobDefinition<unknown>): string {
  const required = new Set(job.settings.required ?? []);
  const secrets = new Set(job.secrets ?? []);
  const prefix = jobEnvPrefix(job.name);
  const rows = Object.entries(job.settings.properties ?? {}).map(([name, schema]) => {
    const flag = flagType(schema) ? `\`--${flagName(name)}\`` : '';
    const defaultText = schema.default === undefined ? (required.has(name) ? 'required' : '') : `\`${JSON.stringify(schema.default)}\``;
    const notes = [schema.description ? String(schema.description) : '', secrets.has(name) ? '(secret)' : ''].filter(Boolean).join(' ');
    return `| \`${name}\` | ${flag} | \`${variableName(prefix, name)}\` | ${typeOf(schema)} | ${cell(defaultText)} | ${cell(notes)} |`;
  });
  return ['| setting | flag | variable | type | default | meaning |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}
