import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { isExactNumber } from './exact-number.js';
import type { JsonRecord, JsonSchema } from './messages.js';

// ajv-formats is CommonJS with a default export: under NodeNext the default import is the module object.
const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ?? formatsModule) as unknown as (
  ajv: Ajv,
  options: { mode: 'fast' | 'full' },
) => Ajv;

/** A compiled record validator: `undefined` when the record fits, else the problem in words. */
export type RecordCheck = (record: JsonRecord) => string | undefined;

/**
 * Compiles record schemas with ajv (draft-07 with formats). Each distinct schema is compiled once
 * and reused for every record. Unknown keywords and formats (common in Singer schemas) are ignored.
 */
export class RecordValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, RecordCheck>();

  constructor() {
    // Fast format mode: RFC 3339 shape checks by regex, an order of magnitude cheaper than full date parsing.
    this.ajv = new Ajv({ strict: false, allErrors: false, logger: false, addUsedSchema: false, validateSchema: true });
    addFormats(this.ajv, { mode: 'fast' });
  }

  /**
   * Compiles (or fetches from cache) the check for a schema.
   * @throws Error with ajv's message when the schema itself is invalid
   */
  compile(schema: JsonSchema): RecordCheck {
    const key = JSON.stringify(schema);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const validate = this.ajv.compile(schema);
    const check: RecordCheck = (record) => {
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

function describeError(validate: ValidateFunction): string {
  const error = validate.errors?.[0] as ErrorObject | undefined;
  if (!error) return 'record breaks its schema';
  let pointer = error.instancePath || '';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') pointer += `/${escapePointer(String(params.missingProperty))}`;
  if (error.keyword === 'additionalProperties') pointer += `/${escapePointer(String(params.additionalProperty))}`;
  return `record breaks its schema at ${pointer || '/'}: ${error.message ?? error.keyword}`;
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
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
