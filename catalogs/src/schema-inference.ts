import { isExactNumber, type JsonSchema } from '@observes/protocol';
import { detectStringFormat, type StringFormat } from './string-format.js';

/**
 * What was seen at one place of the data (the root, a property, the items of an array).
 * Merging only sets flags and unions maps, so the result does not depend on the order of the records.
 */
interface Shape {
  /** Times a value (null included) was seen here. */
  seen: number;
  nullable: boolean;
  boolean: boolean;
  integer: boolean;
  /** A number with a fraction or exponent that is not an integer. */
  number: boolean;
  /** Format shared by every string seen: a format, `null` once strings disagree, `undefined` before any string. */
  format: StringFormat | null | undefined;
  string: boolean;
  /** Number of objects seen here, and their properties. */
  objects: number;
  properties: Map<string, Shape> | undefined;
  /** Elements of every array seen here, when an array was seen. */
  items: Shape | undefined;
}

function emptyShape(): Shape {
  return {
    seen: 0,
    nullable: false,
    boolean: false,
    integer: false,
    number: false,
    format: undefined,
    string: false,
    objects: 0,
    properties: undefined,
    items: undefined,
  };
}

function observe(shape: Shape, value: unknown): void {
  shape.seen++;
  if (value === null || value === undefined) {
    shape.nullable = true;
  } else if (typeof value === 'string') {
    shape.string = true;
    const format = detectStringFormat(value) ?? null;
    shape.format = shape.format === undefined || shape.format === format ? format : null;
  } else if (typeof value === 'number') {
    if (Number.isInteger(value)) shape.integer = true;
    else shape.number = true;
  } else if (typeof value === 'boolean') {
    shape.boolean = true;
  } else if (isExactNumber(value)) {
    if (value.isInteger()) shape.integer = true;
    else shape.number = true;
  } else if (Array.isArray(value)) {
    const items = (shape.items ??= emptyShape());
    for (const item of value) observe(items, item);
  } else if (typeof value === 'object') {
    shape.objects++;
    const properties = (shape.properties ??= new Map());
    for (const [key, item] of Object.entries(value)) {
      let child = properties.get(key);
      if (!child) properties.set(key, (child = emptyShape()));
      observe(child, item);
    }
  } else {
    throw new TypeError(`not a JSON value: ${typeof value}`);
  }
}

/** The JSON Schema type names a shape's non-null values have, integer and number merged. */
function kindsOf(shape: Shape): string[] {
  const kinds: string[] = [];
  if (shape.objects > 0) kinds.push('object');
  if (shape.items) kinds.push('array');
  if (shape.boolean) kinds.push('boolean');
  if (shape.number) kinds.push('number');
  else if (shape.integer) kinds.push('integer');
  if (shape.string) kinds.push('string');
  return kinds;
}

function typeOf(kind: string, nullable: boolean): string | string[] {
  return nullable ? ['null', kind] : kind;
}

/** Set by {@link toSchema} when some place mixed kinds and was widened to string. */
interface Widening {
  widened: boolean;
}

function toSchema(shape: Shape, nullable: boolean, widening: Widening): JsonSchema {
  const kinds = kindsOf(shape);
  // Never seen with a value (always null or absent, or the items of empty arrays): a nullable string,
  // so that a target still gets a column it can fill later.
  if (kinds.length === 0) return { type: ['null', 'string'] };
  // Conflicting kinds (other than integer with number) widen to string; coerceToSchema writes the
  // non-string values as their JSON text.
  if (kinds.length > 1) {
    widening.widened = true;
    return { type: typeOf('string', nullable) };
  }
  const kind = kinds[0];
  const schema: JsonSchema = { type: typeOf(kind, nullable) };
  if (kind === 'string' && shape.format) schema.format = shape.format;
  if (kind === 'array') schema.items = toSchema(shape.items!, shape.items!.nullable, widening);
  if (kind === 'object') {
    const properties: Record<string, JsonSchema> = {};
    for (const key of [...shape.properties!.keys()].sort()) {
      const child = shape.properties!.get(key)!;
      // A property missing from some objects is nullable: targets store the absence as NULL.
      properties[key] = toSchema(child, child.nullable || child.seen < shape.objects, widening);
    }
    schema.properties = properties;
  }
  return schema;
}

/**
 * Infers the JSON Schema of a stream from its records, one record at a time, in memory proportional
 * to the schema (not the data). Deterministic: the same records give the same schema in any order.
 *
 * Rules, applied at every level:
 * - null, or a property absent from some objects, makes the type nullable (`["null", type]`);
 * - integers (including {@link ExactNumber}s too large for a double) give `integer`; any non-integer
 *   number widens the place to `number`;
 * - strings that are all RFC 3339 timestamps with a zone get `format: "date-time"`, all calendar dates
 *   `format: "date"`; a mix (or a naive timestamp) is a plain string;
 * - objects give `properties`, sorted by name; arrays give `items` inferred from every element;
 * - any other mix of kinds (boolean with number, number with string, object or array with a scalar,
 *   object with array) widens to `string`: {@link coerceToSchema} then writes the other values as JSON text;
 * - a place only ever null, absent or an empty array's items is `["null", "string"]`.
 */
export class SchemaInferrer {
  private readonly root = emptyShape();

  /** Number of records observed. */
  get records(): number {
    return this.root.objects;
  }

  /** Adds one record (a JSON object, possibly holding ExactNumbers). */
  observe(record: Record<string, unknown>): void {
    observe(this.root, record);
  }

  /** The schema of every record observed so far. */
  schema(): JsonSchema {
    return this.result().schema;
  }

  /**
   * The schema, and whether some place mixed kinds and was widened to string: only then do records
   * need {@link compileCoercion} before they fit the schema.
   */
  result(): { schema: JsonSchema; widened: boolean } {
    const widening: Widening = { widened: false };
    if (this.root.objects === 0) return { schema: { type: 'object', properties: {} }, widened: false };
    const schema = toSchema(this.root, false, widening);
    // The root is always a non-null object.
    return { schema: { type: 'object', properties: schema.properties }, widened: widening.widened };
  }
}

/** Infers the schema of `records` at once; see {@link SchemaInferrer} for the rules. */
export function inferSchema(records: Iterable<Record<string, unknown>>): JsonSchema {
  const inferrer = new SchemaInferrer();
  for (const record of records) inferrer.observe(record);
  return inferrer.schema();
}
