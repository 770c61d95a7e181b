import { isExactNumber, serializeJson } from '@observes/protocol';
import type { ExpectedValue } from './stream-expectation.js';

/**
 * Canonical text of a decimal number: no exponent, no leading integer zeros, no trailing fraction zeros,
 * no `-0`. Undefined when `text` is not a decimal number. Pure string work: exact at any length.
 */
export function canonicalDecimal(text: string): string | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  let digits = whole + fraction;
  // Position of the decimal point within `digits`.
  let point = whole.length + Number(exponent);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  } else if (point > digits.length) {
    digits = digits + '0'.repeat(point - digits.length);
  }
  const integer = digits.slice(0, point).replace(/^0+/, '') || '0';
  const decimals = digits.slice(point).replace(/0+$/, '');
  const body = decimals ? `${integer}.${decimals}` : integer;
  return body === '0' || sign !== '-' ? body : `-${body}`;
}

/** Text of a stored value as the target returned it: numbers, ExactNumbers, bigints, booleans and Dates included. */
function textOf(actual: unknown): string | undefined {
  if (typeof actual === 'string') return actual;
  if (typeof actual === 'number' || typeof actual === 'bigint' || typeof actual === 'boolean') return String(actual);
  if (isExactNumber(actual)) return actual.value;
  if (actual instanceof Date) return actual.toISOString();
  return undefined;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of a stored date: a string's prefix, or a `Date`'s local calendar day (how `pg` parses DATE). */
function dateOf(actual: unknown): string | undefined {
  if (actual instanceof Date) return `${actual.getFullYear()}-${pad(actual.getMonth() + 1)}-${pad(actual.getDate())}`;
  return typeof actual === 'string' ? actual.slice(0, 10) : undefined;
}

/** Milliseconds since the epoch of a stored instant: a `Date`, or a date-time text (`T` or space separated). */
function instantOf(actual: unknown): number | undefined {
  if (actual instanceof Date) return actual.getTime();
  if (typeof actual !== 'string') return undefined;
  // PostgreSQL prints `2024-01-01 10:00:00+00`; Date.parse wants `T` and a `+00:00` offset. Without a zone, a
  // date-time is UTC (as targets store it), not the local time Date.parse would read.
  let iso = actual.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  if (/T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(iso)) iso += 'Z';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Seconds of the day of a time text `HH:MM:SS[.fff]`, exact to the microsecond. */
function timeOf(actual: unknown): string | undefined {
  const text = textOf(actual);
  const match = text && /^(\d\d):(\d\d):(\d\d)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return `${match[1]}:${match[2]}:${match[3]}.${(match[4] ?? '').replace(/0+$/, '')}`;
}

// How databases and CSV files spell booleans.
const TRUE_TEXTS = ['true', 't', '1'];
const FALSE_TEXTS = ['false', 'f', '0'];

/** Whether a stored value means the expected one (see {@link ExpectedValue} for the rules). */
export function matchesExpected(actual: unknown, expected: ExpectedValue): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (typeof expected === 'string') return textOf(actual) === expected;
  if (typeof expected === 'boolean') return (expected ? TRUE_TEXTS : FALSE_TEXTS).includes(String(textOf(actual)).toLowerCase());
  if (typeof expected === 'number') return sameDecimal(actual, String(expected));
  if ('decimal' in expected) return sameDecimal(actual, expected.decimal);
  if ('instant' in expected) return instantOf(actual) === Date.parse(expected.instant);
  if ('date' in expected) return dateOf(actual) === expected.date;
  return timeOf(actual) !== undefined && timeOf(actual) === timeOf(expected.time);
}

function sameDecimal(actual: unknown, expected: string): boolean {
  const text = textOf(actual);
  const canonical = text === undefined ? undefined : canonicalDecimal(text);
  return canonical !== undefined && canonical === canonicalDecimal(expected);
}

/** Human-readable form of a value for assertion messages (ExactNumbers as their digits). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value instanceof Date) return `Date(${value.toISOString()})`;
  return serializeJson(value);
}
