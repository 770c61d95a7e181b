import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { isDate, isDateTime, isTime } from './date-time-format.js';
import { isExactNumber } from './exact-number.js';
import { escapePointerToken } from './json-pointer.js';
import type { JsonRecord, JsonSchema } from './messages.js';

// ajv-formats is CommonJS with a default export: under NodeNext the default import is the module object.
const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ?? formatsModule) as unknown as (
  ajv: Ajv,
  options: { mode: 'fast' | 'full' },
) => Ajv;

/** What is wrong with a record: the problem in words, and where. */
export interface RecordProblem {
  /** `record breaks its schema at /author/name: must be string`. */
  text: string;
  /** JSON pointer of the offending value: `/author/name`. */
  pointer: string;
}

/** A compiled record validator: `undefined` when the record fits, else the problem in words. */
export type RecordCheck = (record: JsonRecord) => string | undefined;

/** A compiled record validator: `undefined` when the record fits, else the problem and where it is. */
export type DetailedRecordCheck = (record: JsonRecord) => RecordProblem | undefined;

/** An ajv instance with our formats; `allErrors` only for schemas too wide for the default code (see `compile`). */
function createAjv(allErrors: boolean): Ajv {
  const ajv = new Ajv({ strict: false, allErrors, logger: false, addUsedSchema: false, validateSchema: true });
  // Fast format mode: shape checks by regex, an order of magnitude cheaper than full parsing. Dates and times
  // are ours instead: the calendar must exist (what the warehouse would refuse fails here, naming the field),
  // and a date-time or time without a zone is accepted, read as UTC as the targets store it.
  addFormats(ajv, { mode: 'fast' });
  ajv.addFormat('date-time', isDateTime);
  ajv.addFormat('date', isDate);
  ajv.addFormat('time', isTime);
  return ajv;
}

/**
 * Compiles record schemas with ajv (draft-07 with formats). Each distinct schema is compiled once
 * and reused for every record. Unknown keywords and formats (common in Singer schemas) are ignored.
 * Formats `date-time`, `date` and `time` are checked by `isDateTime`, `isDate` and `isTime`.
 */
export class RecordValidator {
  private readonly ajv = createAjv(false);
  private wideAjv: Ajv | undefined;
  private readonly cache = new Map<string, DetailedRecordCheck>();

  /**
   * Compiles (or fetches from cache) the check for a schema; it answers the problem in words.
   * @throws Error with ajv's message when the schema itself is invalid
   */
  compile(schema: JsonSchema): RecordCheck {
    const check = this.compileDetailed(schema);
    return (record) => check(record)?.text;
  }

  /**
   * Like {@link RecordValidator.compile}, answering the problem with the JSON pointer of the offending value.
   * @throws Error with ajv's message when the schema itself is invalid
   */
  compileDetailed(schema: JsonSchema): DetailedRecordCheck {
    const key = JSON.stringify(schema);
    const cached = this.cache.get(key);
    if (cached) return cached;
    // ajv nests one block per property when it stops at the first error: from ~1,580 properties, V8 overflows
    // its stack compiling that code (and getting there takes seconds). Collecting all errors makes the code
    // flat, a little slower on bad records, so only for wide schemas.
    const ajv = countProperties(schema) > WIDE_SCHEMA_PROPERTIES ? (this.wideAjv ??= createAjv(true)) : this.ajv;
    const validate = ajv.compile(schema);
    const check: DetailedRecordCheck = (record) => {
      if (validate(record)) return undefined;
      // Exact numbers are objects to ajv; check their approximations before calling the record bad.
      const approx = withApproximateNumbers(record);
      if (approx !== record && validate(approx)) return undefined;
      return describeError(validate);
    };
    this.cache.set(key, check);
    return check;
  }
}

/** Schemas with more properties than this (all levels) compile with `allErrors` (see `compileDetailed`). */
const WIDE_SCHEMA_PROPERTIES = 500;

/** Number of properties a schema declares, at every level. */
function countProperties(schema: unknown): number {
  if (typeof schema !== 'object' || schema === null) return 0;
  let n = 0;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) n += Object.keys(value).length;
    n += countProperties(value);
  }
  return n;
}

function describeError(validate: ValidateFunction): RecordProblem {
  const error = validate.errors?.[0] as ErrorObject | undefined;
  if (!error) return { text: 'record breaks its schema', pointer: '/' };
  let pointer = error.instancePath || '';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') pointer += `/${escapePointerToken(String(params.missingProperty))}`;
  if (error.keyword === 'additionalProperties') pointer += `/${escapePointerToken(String(params.additionalProperty))}`;
  return { text: `record breaks its schema at ${pointer || '/'}: ${error.message ?? error.keyword}`, pointer: pointer || '/' };
}

/** A copy of `value` with ExactNumbers replaced by doubles, or `value` itself when it holds none. */
function withApproximateNumbers<T>(value: T): T {
  if (isExactNumber(value)) return value.toCheckableNumber() as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = withApproximateNumbers(item);
      if (next !== item) (copy ??= [...value])[i] = next;
    });
    return (copy ?? value) as T;
  }
  if (typeof value === 'object' && value !== null) {
    let copy: Record<string, unknown> | undefined;
    for (const [k, item] of Object.entries(value)) {
      const next = withApproximateNumbers(item);
      if (next !== item) (copy ??= { ...(value as Record<string, unknown>) })[k] = next;
    }
    return (copy ?? value) as T;
  }
  return value;
}
