import type { JsonSchema } from '@observes/protocol';
import { DEFAULT_LIMITS } from './warehouse-limits.js';

/** Widest varchar when the caller names no warehouse ({@link DEFAULT_LIMITS}); dialects pass their own. */
export const MAX_VARCHAR_BYTES = DEFAULT_LIMITS.varcharBytes;
/** Most columns of a table when the caller names no warehouse ({@link DEFAULT_LIMITS}). */
export const MAX_COLUMNS = DEFAULT_LIMITS.columns;
/** Widest decimal precision Redshift has. */
export const MAX_DECIMAL_PRECISION = 38;
/** Size of a string column whose schema gives no `maxLength`: Redshift's own default; values widen it. */
export const DEFAULT_VARCHAR_BYTES = 256;
/** Steps a varchar widens by, so a slowly growing column is not altered on every batch (the last one: the warehouse's widest). */
export const VARCHAR_STEPS = [256, 1024, 4096, 16384, MAX_VARCHAR_BYTES] as const;

/**
 * A warehouse column type, independent of the dialect (each dialect spells it).
 * `string.bytes` counts UTF-8 bytes, as Redshift's varchar does. `other` is a type we did not create
 * (found in an existing table): it accepts no values, so they go to variant columns.
 */
export type ColumnType =
  | { kind: 'boolean' }
  | { kind: 'bigint' }
  | { kind: 'double' }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'string'; bytes: number }
  | { kind: 'timestamp' }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'json' }
  | { kind: 'other'; sql: string };

/** The kind names of {@link ColumnType}. */
export type ColumnKind = ColumnType['kind'];

/** Shorthands for the fixed types. */
export const BOOLEAN: ColumnType = { kind: 'boolean' };
export const BIGINT: ColumnType = { kind: 'bigint' };
export const DOUBLE: ColumnType = { kind: 'double' };
export const TIMESTAMP: ColumnType = { kind: 'timestamp' };
export const DATE: ColumnType = { kind: 'date' };
export const TIME: ColumnType = { kind: 'time' };
export const JSON_TYPE: ColumnType = { kind: 'json' };

/** A string type of at least `bytes` bytes, rounded up to the next {@link VARCHAR_STEPS} step below the widest, `maxBytes`. */
export function stringType(bytes: number, maxBytes: number = MAX_VARCHAR_BYTES): ColumnType {
  for (const step of VARCHAR_STEPS) if (step < maxBytes && bytes <= step) return { kind: 'string', bytes: step };
  return { kind: 'string', bytes: maxBytes };
}

/** Whether two types are the same. */
export function sameType(a: ColumnType, b: ColumnType): boolean {
  return describeType(a) === describeType(b);
}

/** Short, dialect-free text of a type, e.g. `string(256)`, `decimal(38,2)`: for logs, errors and golden files. */
export function describeType(type: ColumnType): string {
  switch (type.kind) {
    case 'string':
      return `string(${type.bytes})`;
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'other':
      return `other(${type.sql})`;
    default:
      return type.kind;
  }
}

/** The non-null JSON types a schema allows, resolving `type` lists and `anyOf`/`oneOf` unions. */
export function schemaTypes(schema: JsonSchema): Set<string> {
  const out = new Set<string>();
  const visit = (s: JsonSchema | undefined) => {
    if (!s || typeof s !== 'object') return;
    const t = s.type;
    if (typeof t === 'string') out.add(t);
    else if (Array.isArray(t)) for (const x of t) out.add(x);
    for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) visit(branch);
    if (t === undefined && !s.anyOf && !s.oneOf) {
      if (s.properties) out.add('object');
      else if (s.items) out.add('array');
    }
  };
  visit(schema);
  out.delete('null');
  if (out.has('integer') && out.has('number')) out.delete('integer');
  return out;
}

/** The branch of a union that describes `type` (e.g. the object branch of `anyOf: [{type: object…}, {type: null}]`). */
export function schemaBranch(schema: JsonSchema, type: string): JsonSchema {
  const branches = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  for (const b of branches) if (schemaTypes(b).has(type)) return schemaBranch(b, type);
  return schema;
}

/**
 * Whether a schema bound lies outside bigint's range, compared exactly (a double cannot tell 2^63 - 1, which fits,
 * from 2^63, which does not): a bound that is no integer literal compares as a double, 2^63 counting as outside.
 */
function outsideBigint(bound: unknown): boolean {
  if (bound === undefined || bound === null) return false;
  try {
    const exact = BigInt(String(bound));
    return exact > 9223372036854775807n || exact < -9223372036854775808n;
  } catch {
    return Math.abs(Number(bound)) >= 2 ** 63;
  }
}

/**
 * The column type a scalar JSON Schema maps to:
 * boolean → boolean; integer → bigint (decimal(38,0) when its bounds exceed 64 bits);
 * number → double, or decimal(p,s) when `multipleOf` fixes the scale (precision from the bounds, else 38);
 * string → varchar sized from `maxLength` (4 bytes per character, at most `maxVarcharBytes`) or 256, timestamp for
 * `format: date-time`, date, time; anything else (several types, unknown, objects, arrays) → json.
 */
export function scalarColumnType(schema: JsonSchema, maxVarcharBytes: number = MAX_VARCHAR_BYTES): ColumnType {
  const types = schemaTypes(schema);
  if (types.size !== 1) return JSON_TYPE;
  const [type] = types;
  const s = schemaBranch(schema, type);
  switch (type) {
    case 'boolean':
      return BOOLEAN;
    case 'integer': {
      return outsideBigint(s.minimum) || outsideBigint(s.maximum) ? { kind: 'decimal', precision: MAX_DECIMAL_PRECISION, scale: 0 } : BIGINT;
    }
    case 'number': {
      const scale = typeof s.multipleOf === 'number' ? decimalPlaces(s.multipleOf) : undefined;
      if (scale === undefined || scale > MAX_DECIMAL_PRECISION) return DOUBLE;
      if (typeof s.minimum === 'number' && typeof s.maximum === 'number') {
        const intDigits = Math.max(integerDigits(s.minimum), integerDigits(s.maximum));
        if (intDigits + scale <= MAX_DECIMAL_PRECISION) return { kind: 'decimal', precision: Math.max(1, intDigits + scale), scale };
      }
      return { kind: 'decimal', precision: MAX_DECIMAL_PRECISION, scale };
    }
    case 'string':
      if (s.format === 'date-time') return TIMESTAMP;
      if (s.format === 'date') return DATE;
      if (s.format === 'time') return TIME;
      return typeof s.maxLength === 'number'
        ? stringType(Math.min(maxVarcharBytes, s.maxLength * 4), maxVarcharBytes)
        : stringType(DEFAULT_VARCHAR_BYTES, maxVarcharBytes);
    default:
      return JSON_TYPE;
  }
}

function decimalPlaces(n: number): number | undefined {
  if (!(n > 0)) return undefined;
  const text = String(n);
  if (/e/i.test(text)) {
    const m = /e-(\d+)$/i.exec(text);
    return m ? Number(m[1]) + (text.split('e')[0].split('.')[1]?.length ?? 0) : 0;
  }
  return text.split('.')[1]?.length ?? 0;
}

function integerDigits(n: number): number {
  const whole = Math.trunc(Math.abs(n));
  return whole === 0 ? 1 : String(BigInt(whole)).length;
}
