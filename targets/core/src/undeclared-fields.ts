import { escapePointerToken, isExactNumber, pointerTokens, type JsonRecord, type JsonSchema } from '@observes/protocol';
import { schemaBranch, schemaTypes } from './column-type.js';

/** Where a record's fields are checked against the schema: objects the plan flattens into columns, and list items it flattens. */
interface Shape {
  /** Declared properties; a nested shape where the plan flattens further, null where the value is stored whole. */
  properties: Map<string, Shape | null>;
  /** For a list stored as a child table of flattened items: the item's shape. */
  items?: Shape;
}

/** Options of {@link SchemaEvolution}. */
export interface SchemaEvolutionOptions {
  /** The plan's `maxNesting`: deeper objects are stored whole, so nothing in them is undeclared. */
  maxNesting?: number;
  /** Top-level fields the target stores although the schema does not declare them (`_sdc_deleted_at` with hard deletes). */
  alsoDeclared?: string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isExactNumber(value);
}

/**
 * The schema of a value seen in a record, as a SCHEMA would declare it: boolean, integer, number, string,
 * an object with the properties seen, a list of what its items have in common (`{}`, stored as JSON, when
 * they differ). Strings get no `format`: a date-time is only a date-time when the tap says so.
 */
export function inferSchema(value: unknown): JsonSchema | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' };
  if (isExactNumber(value)) return { type: value.isInteger() ? 'integer' : 'number' };
  if (typeof value === 'string') return { type: 'string' };
  if (Array.isArray(value)) {
    let items: JsonSchema | undefined;
    for (const item of value) {
      const inferred = inferSchema(item);
      if (inferred) items = items ? mergeInferred(items, inferred) : inferred;
    }
    return { type: 'array', items: items ?? {} };
  }
  const properties: Record<string, JsonSchema> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const inferred = inferSchema(item);
    if (inferred) properties[key] = inferred;
  }
  return { type: 'object', properties };
}

function mergeInferred(a: JsonSchema, b: JsonSchema): JsonSchema {
  if (a.type === b.type) {
    if (a.type === 'object') {
      const properties = { ...a.properties };
      for (const [key, schema] of Object.entries(b.properties ?? {})) properties[key] = properties[key] ? mergeInferred(properties[key], schema) : schema;
      return { type: 'object', properties };
    }
    if (a.type === 'array') return { type: 'array', items: mergeInferred(a.items as JsonSchema, b.items as JsonSchema) };
    return a;
  }
  const numbers = new Set(['integer', 'number']);
  if (numbers.has(String(a.type)) && numbers.has(String(b.type))) return { type: 'number' };
  return {};
}

/**
 * A stream's schema, grown by the fields its records bring that it does not declare, so nothing a record holds
 * is dropped: {@link SchemaEvolution.undeclared} lists them, {@link SchemaEvolution.declare} adds them with the
 * schema {@link inferSchema} infers from their value. Only where the plan makes columns (flattened objects and
 * list items, as in `planStream`): what is stored whole in a json column keeps every field anyway.
 */
export class SchemaEvolution {
  /** The schema with every declared addition (a copy; the SCHEMA's own is never changed). */
  schema: JsonSchema;
  private shape: Shape;

  constructor(
    schema: JsonSchema,
    private readonly options: SchemaEvolutionOptions = {},
  ) {
    this.schema = structuredClone(schema);
    this.shape = this.compile();
  }

  /** JSON pointers of the non-null values of `record` at fields the schema does not declare (empty in the usual case). */
  undeclared(record: JsonRecord): string[] {
    const out: string[] = [];
    // Pointers are only spelled for what is reported or descended into: this runs for every record.
    const visit = (value: Record<string, unknown>, shape: Shape, pointer: () => string) => {
      for (const key in value) {
        const item = value[key];
        if (item === null || item === undefined) continue;
        const declared = shape.properties.get(key);
        if (declared === undefined) out.push(`${pointer()}/${escapePointerToken(key)}`);
        if (!declared) continue;
        if (declared.items) {
          if (!Array.isArray(item)) continue;
          for (let i = 0; i < item.length; i++)
            if (isPlainObject(item[i])) visit(item[i] as Record<string, unknown>, declared.items, () => `${pointer()}/${escapePointerToken(key)}/${i}`);
        } else if (isPlainObject(item)) {
          visit(item, declared, () => `${pointer()}/${escapePointerToken(key)}`);
        }
      }
    };
    visit(record, this.shape, () => '');
    return out;
  }

  /** Declares the fields at `pointers` (from {@link SchemaEvolution.undeclared}) with the schema inferred from their value in `record`. */
  declare(record: JsonRecord, pointers: string[]): void {
    for (const pointer of pointers) {
      const tokens = pointerTokens(pointer);
      let value: unknown = record;
      let node: JsonSchema = this.schema;
      for (let i = 0; i < tokens.length - 1; i++) {
        const token = tokens[i];
        if (Array.isArray(value)) {
          value = value[Number(token)];
          node = objectBranch(schemaBranch(node, 'array').items as JsonSchema);
        } else {
          value = (value as Record<string, unknown>)[token];
          const property = objectBranch(node).properties![token];
          node = Array.isArray(value) ? property : objectBranch(property);
        }
      }
      const last = tokens[tokens.length - 1];
      const inferred = inferSchema((value as Record<string, unknown>)[last]);
      if (inferred) (objectBranch(node).properties ??= {})[last] = inferred;
    }
    this.shape = this.compile();
  }

  private compile(): Shape {
    const maxNesting = this.options.maxNesting ?? Number.POSITIVE_INFINITY;
    // Mirrors planStream's collect: `nested` counts object levels within a table plus the table's list depth.
    const objectShape = (schema: JsonSchema, nested: number, depth: number): Shape => {
      const properties = new Map<string, Shape | null>();
      for (const [prop, propSchema] of Object.entries(schema.properties ?? {})) {
        const types = schemaTypes(propSchema);
        const only = types.size === 1 ? [...types][0] : undefined;
        if (only === 'object' && schemaBranch(propSchema, 'object').properties && nested < maxNesting) {
          properties.set(prop, objectShape(schemaBranch(propSchema, 'object'), nested + 1, depth));
        } else if (only === 'array' && nested < maxNesting) {
          const items = schemaBranch(propSchema, 'array').items;
          const item: JsonSchema = Array.isArray(items) ? {} : (items ?? {});
          const itemTypes = schemaTypes(item);
          const flattens = itemTypes.size === 1 && itemTypes.has('object') && schemaBranch(item, 'object').properties !== undefined;
          properties.set(prop, flattens ? { properties: new Map(), items: objectShape(schemaBranch(item, 'object'), depth + 1, depth + 1) } : null);
        } else {
          properties.set(prop, null);
        }
      }
      return { properties };
    };
    const root = objectShape(objectBranch(this.schema), 0, 0);
    for (const name of this.options.alsoDeclared ?? []) if (!root.properties.has(name)) root.properties.set(name, null);
    return root;
  }
}

/** The branch of a (possibly `anyOf`/`type` list) schema that declares an object's properties. */
function objectBranch(schema: JsonSchema): JsonSchema {
  return schemaBranch(schema, 'object');
}
