import { InputError, isExactNumber, serializeJson, storesExactly, type ExactNumber } from '@observes/protocol';
import { BIGINT, BOOLEAN, DOUBLE, JSON_TYPE, MAX_DECIMAL_PRECISION, MAX_VARCHAR_BYTES, stringType, type ColumnType } from './column-type.js';

/** Digits of a decimal number: `intDigits` before the point (at least 1) and `fracDigits` after it. */
export interface DecimalShape {
  intDigits: number;
  fracDigits: number;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
/** Integer digits every bigint value can need: a decimal holding bigints keeps at least this many. */
const BIGINT_DIGITS = 19;

/**
 * Digits of a number written in decimal; exponents are counted, not expanded (`1.5e3` → 4 integer digits,
 * `1e999999999` costs nothing). Works on the exact text of an ExactNumber, so nothing goes through a double.
 */
export function decimalShape(text: string): DecimalShape {
  const t = text.startsWith('-') ? text.slice(1) : text;
  const e = t.search(/[eE]/);
  const mantissa = e >= 0 ? t.slice(0, e) : t;
  const dot = mantissa.indexOf('.');
  let digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  // Position of the decimal point within `digits`.
  let point = (dot < 0 ? mantissa.length : dot) + (e >= 0 ? Number(t.slice(e + 1)) : 0);
  const lead = /^0*/.exec(digits)![0].length;
  digits = digits.slice(lead);
  point -= lead;
  digits = digits.replace(/0+$/, '');
  if (digits === '') return { intDigits: 1, fracDigits: 0 };
  return { intDigits: Math.max(point, 1), fracDigits: Math.max(digits.length - point, 0) };
}

/**
 * A number's text without an exponent (`1e-7` → `0.0000001`, `1.5E3` → `1500`): the form every warehouse's
 * numeric input accepts (Redshift's DECIMAL does not take exponents). Text without an exponent is returned as is.
 */
export function plainDecimal(text: string): string {
  // indexOf, not a regex: this runs for every number cell a target writes.
  let e = text.indexOf('e');
  if (e < 0) e = text.indexOf('E');
  if (e < 0) return text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  out = out.replace(/^0+(?=\d)/, '');
  if (out.includes('.')) out = out.replace(/\.?0+$/, '');
  return (negative && /[1-9]/.test(out) ? '-' : '') + out;
}

/** The exact decimal text of a number value (a double prints its shortest round-trip text). */
export function numberText(value: number | ExactNumber): string {
  return typeof value === 'number' ? String(value) : value.value;
}

function isInt64(value: ExactNumber): boolean {
  if (!value.isInteger()) return false;
  // 20+ digits are beyond 64 bits; then the exponent is expanded (BigInt refuses `1e3`).
  if (decimalShape(value.value).intDigits > BIGINT_DIGITS) return false;
  const n = BigInt(plainDecimal(value.value).replace(/\.0*$/, ''));
  return n >= INT64_MIN && n <= INT64_MAX;
}

/** UTF-8 byte length, skipping the count when the UTF-16 length already proves the string fits (3 bytes per unit at most). */
function fitsBytes(text: string, bytes: number): boolean {
  return text.length * 3 <= bytes || Buffer.byteLength(text) <= bytes;
}

/**
 * Whether a column of `type` stores `value` exactly. A timestamp, date or time column takes only strings it
 * stores unchanged (see `storesExactly`: real calendar dates, at most microseconds, a time of day naive or UTC),
 * so `""` or `"N/A"` of an `anyOf: [date-time, string]` union, or a date the database would refuse, never reach it.
 */
export function fits(type: ColumnType, value: unknown): boolean {
  switch (type.kind) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'bigint':
      return (typeof value === 'number' && Number.isSafeInteger(value)) || (isExactNumber(value) && isInt64(value));
    case 'double':
      return typeof value === 'number';
    case 'decimal': {
      if (typeof value !== 'number' && !isExactNumber(value)) return false;
      if (typeof value === 'number' && !Number.isFinite(value)) return false;
      const shape = decimalShape(numberText(value));
      return shape.fracDigits <= type.scale && shape.intDigits <= type.precision - type.scale;
    }
    case 'string':
      return typeof value === 'string' && fitsBytes(value, type.bytes);
    case 'timestamp':
    case 'date':
    case 'time':
      return typeof value === 'string' && storesExactly(type.kind, value);
    case 'json':
      return value !== undefined;
    case 'other':
      return false;
  }
}

/** A string value longer than the widest varchar: never truncated, the run fails. */
export class ValueTooLongError extends InputError {
  /** Its size in UTF-8 bytes. */
  readonly bytes: number;
  constructor(bytes: number, maxBytes: number = MAX_VARCHAR_BYTES) {
    super(`value of ${bytes} bytes is longer than the ${maxBytes}-byte maximum of a varchar`);
    this.bytes = bytes;
  }
}

/**
 * The type `type` widens to so it also stores `value` exactly while every value it held stays the same,
 * or undefined when no such widening exists (the value then goes to a variant column).
 * Widenings: a longer varchar; bigint or decimal → the decimal with just the digits needed (a bigint keeps
 * its 19 integer digits), at most 38 (never bigint → double, which would round integers beyond 2^53).
 * Throws {@link ValueTooLongError} for a string over `maxVarcharBytes` (the warehouse's widest varchar).
 */
export function widen(type: ColumnType, value: unknown, maxVarcharBytes: number = MAX_VARCHAR_BYTES): ColumnType | undefined {
  switch (type.kind) {
    case 'string': {
      if (typeof value !== 'string') return undefined;
      const bytes = Buffer.byteLength(value);
      if (bytes > maxVarcharBytes) throw new ValueTooLongError(bytes, maxVarcharBytes);
      return stringType(Math.max(bytes, type.bytes), maxVarcharBytes);
    }
    case 'bigint':
    case 'decimal': {
      if (typeof value !== 'number' && !isExactNumber(value)) return undefined;
      if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
      const intDigits = type.kind === 'bigint' ? BIGINT_DIGITS : type.precision - type.scale;
      return widenDecimal(intDigits, type.kind === 'bigint' ? 0 : type.scale, decimalShape(numberText(value)));
    }
    default:
      return undefined;
  }
}

function widenDecimal(intDigits: number, scale: number, shape: DecimalShape): ColumnType | undefined {
  const s = Math.max(scale, shape.fracDigits);
  const p = Math.max(intDigits, shape.intDigits) + s;
  return p <= MAX_DECIMAL_PRECISION ? { kind: 'decimal', precision: p, scale: s } : undefined;
}

/**
 * The narrowest type holding every value of both `existing` and `incoming` exactly, by the same widenings
 * as {@link widen}: `existing` itself when it already holds `incoming`'s values, undefined when none does
 * (bigint and double never merge: one rounds the other). For columns of two tables that meet, as when a
 * full refresh's staging table is copied into the live one.
 */
export function mergeTypes(existing: ColumnType, incoming: ColumnType): ColumnType | undefined {
  if (existing.kind === 'string' && incoming.kind === 'string') return incoming.bytes > existing.bytes ? incoming : existing;
  const digits = (t: ColumnType) =>
    t.kind === 'bigint' ? { int: BIGINT_DIGITS, scale: 0 } : t.kind === 'decimal' ? { int: t.precision - t.scale, scale: t.scale } : undefined;
  const a = digits(existing);
  const b = digits(incoming);
  if (a && b) {
    if (b.int <= a.int && b.scale <= a.scale) return existing;
    return widenDecimal(a.int, a.scale, { intDigits: b.int, fracDigits: b.scale });
  }
  if (existing.kind === 'other' || incoming.kind === 'other') return undefined;
  return existing.kind === incoming.kind ? existing : undefined;
}

/** Name suffix and type of the variant column for a value its main column cannot store. */
export interface Variant {
  /** Appended to the column name after `__`: `boolean`, `bigint`, `double`, `decimal`, `string`, `json` (or, for {@link variantOfType}, `timestamp`, `date`, `time`). */
  suffix: string;
  type: ColumnType;
}

/** The variant column for values of a whole column of `type` that another column cannot take (see {@link mergeTypes}). */
export function variantOfType(type: ColumnType): Variant {
  return { suffix: type.kind === 'other' ? 'other' : type.kind, type };
}

/**
 * The variant column a value goes to when its main column neither fits nor widens to it.
 * Numbers needing more than 38 digits go to the `string` variant as their exact text.
 */
export function variantFor(value: unknown, maxVarcharBytes: number = MAX_VARCHAR_BYTES): Variant {
  if (typeof value === 'boolean') return { suffix: 'boolean', type: BOOLEAN };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { suffix: 'bigint', type: BIGINT } : { suffix: 'double', type: DOUBLE };
  if (isExactNumber(value)) {
    if (isInt64(value)) return { suffix: 'bigint', type: BIGINT };
    const shape = decimalShape(value.value);
    if (shape.intDigits + shape.fracDigits <= MAX_DECIMAL_PRECISION) {
      return { suffix: 'decimal', type: { kind: 'decimal', precision: shape.intDigits + shape.fracDigits, scale: shape.fracDigits } };
    }
    return { suffix: 'string', type: stringType(value.value.length, maxVarcharBytes) };
  }
  if (typeof value === 'string') return { suffix: 'string', type: stringType(Buffer.byteLength(value), maxVarcharBytes) };
  return { suffix: 'json', type: JSON_TYPE };
}

/** The text a value is stored as in a `string` variant column when nothing else can hold it. */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isExactNumber(value)) return value.value;
  return serializeJson(value);
}
