import type { JsonSchema } from '@observes/protocol';

/** One difference between two schemas. */
export interface SchemaChange {
  /** Where: JSON pointer into the records (`/author/name`, `/tags/*` for array items, `` for the root). */
  path: string;
  /** `added`/`removed`: a property appeared or disappeared; `changed`: its type or format differs. */
  change: 'added' | 'removed' | 'changed';
  /** Type (with format) before, absent for `added`, e.g. `["null","string"] date-time`. */
  before?: string;
  /** Type (with format) after, absent for `removed`. */
  after?: string;
}

function describe(schema: JsonSchema): string {
  const type = schema.type === undefined ? 'any' : JSON.stringify(schema.type);
  return schema.format ? `${type} ${schema.format}` : type;
}

function escapePointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function walk(path: string, before: JsonSchema, after: JsonSchema, out: SchemaChange[]): void {
  if (describe(before) !== describe(after)) out.push({ path, change: 'changed', before: describe(before), after: describe(after) });
  const a = before.properties ?? {};
  const b = after.properties ?? {};
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const at = `${path}/${escapePointerToken(key)}`;
    if (!(key in b)) out.push({ path: at, change: 'removed', before: describe(a[key]) });
    else if (!(key in a)) out.push({ path: at, change: 'added', after: describe(b[key]) });
    else walk(at, a[key], b[key], out);
  }
  const itemsBefore = before.items && !Array.isArray(before.items) ? before.items : undefined;
  const itemsAfter = after.items && !Array.isArray(after.items) ? after.items : undefined;
  if (itemsBefore && itemsAfter) walk(`${path}/*`, itemsBefore, itemsAfter, out);
}

/**
 * The differences between two record schemas, property by property, sorted by path: what
 * `observes schema diff` prints. Empty when the schemas describe the same columns.
 * Only types, formats, properties and items are compared (not descriptions or other keywords).
 */
export function diffSchemas(before: JsonSchema, after: JsonSchema): SchemaChange[] {
  const out: SchemaChange[] = [];
  walk('', before, after, out);
  return out;
}

/** One line per change, e.g. `~ /id: ["integer"] -> ["number"]`, `+ /tags: ["array"]`. */
export function formatSchemaChanges(changes: SchemaChange[]): string[] {
  return changes.map((c) =>
    c.change === 'added' ? `+ ${c.path}: ${c.after}` : c.change === 'removed' ? `- ${c.path}: ${c.before}` : `~ ${c.path || '/'}: ${c.before} -> ${c.after}`,
  );
}
