import { serializeJson, type JsonRecord, type JsonSchema } from '@observes/protocol';

/** Rewrites one value to fit its place in the schema. */
type Coerce = (value: unknown) => unknown;

function types(schema: JsonSchema): string[] {
  return schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** A coercion for `schema`, or undefined when no value under it ever needs one (the common case). */
function compile(schema: JsonSchema): Coerce | undefined {
  const kinds = types(schema);
  // A place widened to string by inference: non-strings become their JSON text (numbers stay exact).
  if (kinds.includes('string')) {
    return (value) => (value === null || value === undefined || typeof value === 'string' ? value : serializeJson(value));
  }
  if (kinds.includes('object') && schema.properties) {
    const fields: [string, Coerce][] = [];
    for (const [key, child] of Object.entries(schema.properties)) {
      const coerce = compile(child);
      if (coerce) fields.push([key, coerce]);
    }
    if (fields.length === 0) return undefined;
    return (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
      let copy: Record<string, unknown> | undefined;
      for (const [key, coerce] of fields) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        const next = coerce(item);
        if (next !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = next;
      }
      return copy ?? value;
    };
  }
  if (kinds.includes('array') && schema.items && !Array.isArray(schema.items)) {
    const coerce = compile(schema.items);
    if (!coerce) return undefined;
    return (value) => {
      if (!Array.isArray(value)) return value;
      let copy: unknown[] | undefined;
      value.forEach((item, i) => {
        const next = coerce(item);
        if (next !== item) (copy ??= [...value])[i] = next;
      });
      return copy ?? value;
    };
  }
  return undefined;
}

/**
 * Compiles the function that makes records fit a schema inferred by {@link SchemaInferrer}: where
 * conflicting kinds were widened to `string`, non-string values are replaced by their JSON text
 * (`true` → `"true"`, `12.5` → `"12.5"`, `{"a":1}` → `"{\"a\":1}"`). Records that need no change
 * are returned as they are, without a copy. Undefined when no place of the schema admits strings.
 */
export function compileCoercion(schema: JsonSchema): ((record: JsonRecord) => JsonRecord) | undefined {
  return compile(schema) as ((record: JsonRecord) => JsonRecord) | undefined;
}
