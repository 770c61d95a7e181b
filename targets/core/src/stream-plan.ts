import type { JsonSchema } from '@observes/protocol';
import { BIGINT, JSON_TYPE, TIMESTAMP, scalarColumnType, schemaBranch, schemaTypes, stringType, type ColumnType } from './column-type.js';
import { joinIdentifier, resolveCollisions, toIdentifier } from './identifier.js';
import { limitsOf, type WarehouseLimits } from './warehouse-limits.js';

/** Where a column's value comes from. */
export type ColumnRole =
  /** A (possibly nested) field of the record or list element; `path` is its property path. */
  | 'field'
  /** A child row's copy of a root key property (`_sdc_source_key_<key>`). */
  | 'source_key'
  /** A child row's position in the list at one nesting level (`_sdc_level_<n>_id`). */
  | 'level_id'
  /** The element itself, for lists of scalars (`value`). */
  | 'value'
  /** The deterministic root row id of a key-less stream (`_sdc_row_id`). */
  | 'row_id'
  /** A Singer metadata column (`_sdc_extracted_at`...), filled by the target. */
  | 'metadata';

/** One column of a planned table. */
export interface ColumnPlan {
  /** Column name (an identifier). */
  name: string;
  /** Type the schema asks for; the table may already hold a wider one. */
  type: ColumnType;
  role: ColumnRole;
  /** For `field`: property path from the table's element; for `source_key`: the key property; for `level_id`: the level. */
  path?: string[];
  /** A root key column (a key property's field). Key columns, like `source_key` and `row_id`, never take variant columns. */
  key?: boolean;
}

/** One table of a stream: the root table or a child table for a list. */
export interface TablePlan {
  /** Table name: the stream's identifier for the root, `<parent>__<field>` for a child. */
  name: string;
  /** Parent table name; absent for the root. */
  parent?: string;
  /** Property path, from the parent table's element, of the list this child table holds. */
  listPath?: string[];
  /** List nesting depth: 0 for the root, 1 for a list in the root record, 2 for a list in that list... */
  depth: number;
  columns: ColumnPlan[];
}

/** How a stream maps to tables. Pure data: serializable, golden-tested. */
export interface StreamPlan {
  stream: string;
  keyProperties: string[];
  /** Root columns holding the key properties, in key order (the root row id for a key-less stream). */
  keyColumns: string[];
  /** Child-table columns holding the root key (`_sdc_source_key_<key>`), in key order. */
  sourceKeyColumns: string[];
  /** Root first, then children depth-first in schema order. */
  tables: TablePlan[];
}

/** Options of {@link planStream}. */
export interface PlanOptions {
  /**
   * Nesting levels flattened: objects and lists deeper than this are stored whole in a json column.
   * 0 keeps every top-level object and list as json. Default: unlimited.
   */
  maxNesting?: number;
  /** Add `_sdc_deleted_at` (filled from the record) to the root even without `metadataColumns`: hard deletes key on it. Default false. */
  deletedAtColumn?: boolean;
  /** What the warehouse allows (its dialect's capabilities): identifier bytes, widest varchar. Default {@link DEFAULT_LIMITS}. */
  limits?: Partial<WarehouseLimits>;
  /** Longest identifier the warehouse keeps, in bytes, over `limits.identifierBytes` (the server may say less than the dialect). */
  maxIdentifierBytes?: number;
  /** Add the Singer metadata columns (`_sdc_extracted_at`, `_sdc_received_at`, `_sdc_batched_at`, `_sdc_deleted_at`, `_sdc_sequence`, `_sdc_table_version`) to the root table. Default false. */
  metadataColumns?: boolean;
}

/** Name of the root row id column of key-less streams. */
export const ROW_ID_COLUMN = '_sdc_row_id';
/** Prefix of the child-table columns holding the root key. */
export const SOURCE_KEY_PREFIX = '_sdc_source_key_';
/**
 * The metadata column a record may carry itself: by Singer convention `_sdc_deleted_at` is the record's own
 * field (it drives hard deletes), so a declared `_sdc_deleted_at` and the metadata column are one column.
 */
const SHARED_METADATA = '_sdc_deleted_at';
/** Metadata columns and their types, in the order they are appended. */
export const METADATA_COLUMNS: ReadonlyArray<{ name: string; type: ColumnType }> = [
  { name: '_sdc_extracted_at', type: TIMESTAMP },
  { name: '_sdc_received_at', type: TIMESTAMP },
  { name: '_sdc_batched_at', type: TIMESTAMP },
  { name: '_sdc_deleted_at', type: TIMESTAMP },
  { name: '_sdc_sequence', type: BIGINT },
  { name: '_sdc_table_version', type: BIGINT },
];

interface PendingField {
  path: string[];
  type: ColumnType;
}

interface PendingList {
  path: string[];
  schema: JsonSchema;
}

/**
 * Plans the tables of a stream from its SCHEMA: nested objects become `__`-joined columns, lists become
 * child tables `<parent>__<field>` carrying the root key (`_sdc_source_key_<key>`), their position per list
 * level (`_sdc_level_<n>_id`) and `value` for lists of scalars. A key-less stream gets a root row id
 * (`_sdc_row_id`) for its children to link on. Colliding names are resolved by {@link resolveCollisions}.
 */
export function planStream(stream: string, schema: JsonSchema, keyProperties: string[], options: PlanOptions = {}): StreamPlan {
  const maxNesting = options.maxNesting ?? Number.POSITIVE_INFINITY;
  const limits = limitsOf(options.limits);
  const max = options.maxIdentifierBytes ?? limits.identifierBytes;
  const scalarType = (s: JsonSchema) => scalarColumnType(s, limits.varcharBytes);
  const id = (name: string) => toIdentifier(name, max);
  const rootName = id(stream);
  const tables: Array<TablePlan & { source: string; exact: boolean; parentIndex?: number }> = [];

  const rootProps = schema.properties ?? {};
  const keyTypes = keyProperties.map((k) => (rootProps[k] ? scalarType(rootProps[k]) : stringType(256)));

  const sourceKeys: ColumnPlan[] =
    keyProperties.length > 0
      ? keyProperties.map((k, i) => ({ name: id(`${SOURCE_KEY_PREFIX}${k}`), type: keyTypes[i], role: 'source_key' as const, path: [k] }))
      : [{ name: `${SOURCE_KEY_PREFIX}${ROW_ID_COLUMN}`, type: stringType(64), role: 'source_key' as const, path: [ROW_ID_COLUMN] }];

  const addTable = (
    name: string,
    parentIndex: number | undefined,
    listPath: string[] | undefined,
    depth: number,
    element: JsonSchema,
    source: string,
    exact: boolean,
  ) => {
    const fields: PendingField[] = [];
    const lists: PendingList[] = [];
    const leading: ColumnPlan[] = [];
    if (depth === 0) {
      if (keyProperties.length === 0) leading.push({ name: ROW_ID_COLUMN, type: stringType(64), role: 'row_id' });
    } else {
      leading.push(...sourceKeys);
      for (let level = 0; level < depth; level++) leading.push({ name: `_sdc_level_${level}_id`, type: BIGINT, role: 'level_id', path: [String(level)] });
    }
    const elementTypes = schemaTypes(element);
    // List elements that are not objects with declared properties (scalars, free-form objects, mixed) are kept whole in `value`.
    const flattensElement = elementTypes.size === 1 && elementTypes.has('object') && schemaBranch(element, 'object').properties !== undefined;
    if (depth > 0 && !flattensElement) {
      leading.push({ name: 'value', type: scalarType(element), role: 'value' });
    } else {
      collect(schemaBranch(element, 'object'), [], depth, fields, lists);
    }
    const metadata = options.metadataColumns ? METADATA_COLUMNS : options.deletedAtColumn ? METADATA_COLUMNS.filter((m) => m.name === SHARED_METADATA) : [];
    const declaresShared = fields.some((f) => f.path.length === 1 && f.path[0] === SHARED_METADATA);
    const trailing: ColumnPlan[] =
      depth === 0 ? metadata.filter((m) => m.name !== SHARED_METADATA || !declaresShared).map((m) => ({ ...m, role: 'metadata' as const })) : [];
    // Generated names are reserved: a field spelled like one (`_sdc_row_id`, `_sdc_source_key_id`...) gets a suffix.
    const reserved = [...leading, ...trailing].map((c) => ({ source: `\u0001${c.name}`, id: c.name, exact: true, reserved: true }));
    const names = resolveCollisions(
      [
        ...reserved,
        ...fields.map((f) => {
          const name = joinIdentifier(f.path.map(id), max);
          return { source: f.path.join('\u0000'), id: name, exact: f.path.length === 1 && f.path[0] === name };
        }),
      ],
      max,
    );
    const isKey = (f: PendingField) => depth === 0 && f.path.length === 1 && keyProperties.includes(f.path[0]);
    const index = tables.length;
    tables.push({
      name,
      ...(parentIndex === undefined ? {} : { parentIndex, listPath }),
      depth,
      columns: [
        ...leading,
        ...fields.map((f) => ({
          name: names.get(f.path.join('\u0000'))!,
          type: f.type,
          role: 'field' as const,
          path: f.path,
          ...(isKey(f) ? { key: true } : {}),
        })),
        ...trailing,
      ],
      source,
      exact,
    });
    for (const list of lists) {
      const items = schemaBranch(list.schema, 'array').items;
      const itemSchema: JsonSchema = Array.isArray(items) ? {} : (items ?? {});
      const childSource = `${source}\u0002${list.path.join('\u0000')}`;
      const childExact = exact && list.path.length === 1 && id(list.path[0]) === list.path[0];
      addTable(joinIdentifier([name, ...list.path.map(id)], max), index, list.path, depth + 1, itemSchema, childSource, childExact);
    }
  };

  const collect = (schemaNode: JsonSchema, prefix: string[], level: number, fields: PendingField[], lists: PendingList[]) => {
    for (const [prop, propSchema] of Object.entries(schemaNode.properties ?? {})) {
      const path = [...prefix, prop];
      const types = schemaTypes(propSchema);
      const only = types.size === 1 ? [...types][0] : undefined;
      const nested = prefix.length + level;
      if (only === 'object' && schemaBranch(propSchema, 'object').properties && nested < maxNesting) {
        collect(schemaBranch(propSchema, 'object'), path, level, fields, lists);
      } else if (only === 'array' && nested < maxNesting) {
        lists.push({ path, schema: propSchema });
      } else if (only === 'object' || only === 'array') {
        fields.push({ path, type: JSON_TYPE });
      } else {
        fields.push({ path, type: scalarType(propSchema) });
      }
    }
  };

  addTable(rootName, undefined, undefined, 0, schema, '', true);
  // Child tables whose names collide (a list `a__b` and a list `b` inside an object `a`, or inside a list `a`)
  // are told apart like columns: the root keeps its name, a list spelled exactly keeps its, the others get a suffix.
  const tableNames = resolveCollisions(
    tables.map((t, i) => ({ source: t.source, id: t.name, exact: t.exact, reserved: i === 0 })),
    max,
  );
  const finalName = (t: { source: string }) => tableNames.get(t.source)!;
  const planned: TablePlan[] = tables.map(({ source, exact, parentIndex, ...t }) => ({
    ...t,
    name: finalName({ source }),
    ...(parentIndex === undefined ? {} : { parent: finalName(tables[parentIndex]), listPath: t.listPath }),
  }));
  const root = planned[0];
  const keyColumns =
    keyProperties.length > 0
      ? keyProperties.map((k) => root.columns.find((c) => c.role === 'field' && c.path!.length === 1 && c.path![0] === k)!.name)
      : [ROW_ID_COLUMN];
  return { stream, keyProperties, keyColumns, sourceKeyColumns: sourceKeys.map((c) => c.name), tables: planned };
}
