import type { JsonSchema } from '../messages.js';

/**
 * A program's settings declared once: a JSON Schema whose properties each carry a `description`, a `default`
 * when there is one and `secret: true` for credentials, built by the functions of {@link setting} so that the
 * TypeScript type of the validated settings is inferred from it ({@link SettingsOf}). Validation, environment
 * overrides, `--help`, `--about` and the README's settings table are all derived from that one schema.
 */

declare const VALUE: unique symbol;
declare const PRESENT: unique symbol;

/** A JSON Schema that also carries, for the compiler only, the type `V` of a valid value and whether it is always present. */
export type Declared<V, Present extends boolean = boolean> = SettingSchema & { readonly [VALUE]?: V; readonly [PRESENT]?: Present };

/** The type of a value valid under a {@link Declared} schema. */
export type TypeOf<S> = S extends { readonly [VALUE]?: infer V } ? V : unknown;

/** The validated settings a declaration describes: `SettingsOf<typeof mySettings>`. */
export type SettingsOf<S> = TypeOf<S>;

/**
 * The JSON Schema of a setting, with the annotations the derivations read:
 * - `description`: for `--help`, `--about` and the README;
 * - `default`: applied when the setting is absent;
 * - `secret`: the value is a credential, registered for redaction before anything is logged;
 * - `errorMessage`: replaces the generated problem text (a string for any failure of this schema, or per keyword);
 *   `${path}` stands for where the value is, `${property}` for the missing or unknown property.
 */
export type SettingSchema = JsonSchema & {
  description?: string;
  default?: unknown;
  secret?: boolean;
  examples?: unknown[];
  errorMessage?: string | Record<string, string>;
};

/** Options every setting takes: annotations and any other JSON Schema keywords (`minimum`, `pattern`, `format`...). */
export interface SettingOptions<V> {
  /** What the setting does, one sentence. */
  description?: string;
  /** Value used when the setting is absent (the setting is then always present in the validated settings). */
  default?: V;
  /** Whether validation fails when the setting is absent (the setting is then always present). */
  required?: boolean;
  /** A credential: registered for redaction, shown as a secret in `--help`, `--about` and the README. */
  secret?: boolean;
  /** Example values, the first one used in `--help`'s example. */
  examples?: V[];
  /** Replaces the generated problem text, see {@link SettingSchema}. */
  errorMessage?: string | Record<string, string>;
  /** Other JSON Schema keywords. */
  [keyword: string]: unknown;
}

/** Whether options make a setting always present: required, or defaulted. */
type PresentIf<O> = O extends { required: true } ? true : O extends { default: {} | null } ? true : false;

type PresentKeys<P> = { [K in keyof P]: P[K] extends { readonly [PRESENT]?: true } ? K : never }[keyof P];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The value type of an object of declared properties: present ones required, the others optional. */
export type ObjectOf<P extends Record<string, Declared<unknown>>> = Simplify<
  { [K in PresentKeys<P>]: TypeOf<P[K]> } & { [K in Exclude<keyof P, PresentKeys<P>>]?: TypeOf<P[K]> }
>;

function build<V, O extends SettingOptions<unknown>>(schema: SettingSchema, options: O | undefined): Declared<V, PresentIf<O>> {
  const { required, ...rest } = (options ?? {}) as SettingOptions<unknown>;
  const out: Record<string, unknown> = { ...schema, ...rest };
  // Kept out of the JSON Schema (where `required` belongs to the parent object), read back by `object`.
  if (required) Object.defineProperty(out, REQUIRED, { value: true, enumerable: false });
  return out as Declared<V, PresentIf<O>>;
}

const REQUIRED = Symbol('required');

/** Options of {@link setting.object}. */
export interface ObjectOptions<V> extends SettingOptions<V> {
  /** Whether properties not declared are accepted; default false (an unknown setting is a problem). */
  additionalProperties?: boolean;
}

/**
 * The builders of a settings declaration. Each returns a JSON Schema (plain data, usable wherever a schema is)
 * that carries its value type for the compiler.
 * @example
 * const settings = setting.object({
 *   token: setting.string({ required: true, secret: true, description: 'API token' }),
 *   per_page: setting.integer({ default: 100, minimum: 1, description: 'page size' }),
 * });
 * type Settings = SettingsOf<typeof settings>; // { token: string; per_page: number }
 */
export const setting = {
  /** A string setting. */
  string<const O extends SettingOptions<string>>(options?: O): Declared<string, PresentIf<O>> {
    return build({ type: 'string' }, options);
  },
  /** An integer setting. */
  integer<const O extends SettingOptions<number>>(options?: O): Declared<number, PresentIf<O>> {
    return build({ type: 'integer' }, options);
  },
  /** A number setting. */
  number<const O extends SettingOptions<number>>(options?: O): Declared<number, PresentIf<O>> {
    return build({ type: 'number' }, options);
  },
  /** A boolean setting. */
  boolean<const O extends SettingOptions<boolean>>(options?: O): Declared<boolean, PresentIf<O>> {
    return build({ type: 'boolean' }, options);
  },
  /** One of fixed strings. */
  enum<const E extends readonly string[], const O extends SettingOptions<E[number]>>(values: E, options?: O): Declared<E[number], PresentIf<O>> {
    return build({ type: 'string', enum: [...values] }, options);
  },
  /** A list of items. */
  array<I extends Declared<unknown>, const O extends SettingOptions<TypeOf<I>[]>>(items: I, options?: O): Declared<TypeOf<I>[], PresentIf<O>> {
    return build({ type: 'array', items }, options);
  },
  /** An object of declared properties (a settings declaration is one). */
  object<P extends Record<string, Declared<unknown>>, const O extends ObjectOptions<ObjectOf<P>>>(
    properties: P,
    options?: O,
  ): Declared<ObjectOf<P>, PresentIf<O>> {
    const required = Object.entries(properties)
      .filter(([, schema]) => (schema as Record<symbol, unknown>)[REQUIRED] === true)
      .map(([name]) => name);
    const { required: _own, additionalProperties = false, ...rest } = (options ?? {}) as ObjectOptions<unknown>;
    return build({ type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties }, {
      ...rest,
      ...(_own ? { required: true } : {}),
    } as O);
  },
  /** An object whose keys are free and whose values all have one schema (`env: { NAME: value }`). */
  record<I extends Declared<unknown>, const O extends SettingOptions<Record<string, TypeOf<I>>>>(
    values: I,
    options?: O,
  ): Declared<Record<string, TypeOf<I>>, PresentIf<O>> {
    return build({ type: 'object', additionalProperties: values }, options);
  },
  /** Any JSON object (checked by its own program). */
  json<const O extends SettingOptions<Record<string, unknown>>>(options?: O): Declared<Record<string, unknown>, PresentIf<O>> {
    return build({ type: 'object' }, options);
  },
  /** A value valid under any of `schemas` (`command: string | string[]`). */
  anyOf<const S extends readonly Declared<unknown>[], const O extends SettingOptions<TypeOf<S[number]>>>(
    schemas: S,
    options?: O,
  ): Declared<TypeOf<S[number]>, PresentIf<O>> {
    return build({ anyOf: [...schemas] }, options);
  },
  /** A value of several JSON types at once (`type: ['integer', 'string']`), typed as `V`. */
  types<V>(types: string[], options?: SettingOptions<V>): Declared<V, false> {
    return build({ type: types }, options);
  },
};
