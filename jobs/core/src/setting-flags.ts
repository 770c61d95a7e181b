import type { JsonSchema } from '@observes/protocol';

const FLAG_TYPES: Record<string, 'string' | 'number' | 'boolean'> = { string: 'string', number: 'number', integer: 'number', boolean: 'boolean' };

/** The flag type of a setting that can be a command-line flag (a scalar, possibly nullable); undefined for lists and objects. */
export function flagType(schema: JsonSchema): 'string' | 'number' | 'boolean' | undefined {
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t) => t !== 'null');
  return types.length === 1 && typeof types[0] === 'string' ? FLAG_TYPES[types[0]] : undefined;
}

/** A setting's flag: `bills_bucket` → `bills-bucket`. */
export const flagName = (setting: string): string => setting.replace(/_/g, '-');

/** A setting's environment variable: `bills_bucket` of `compute-bills` → `COMPUTE_BILLS_BILLS_BUCKET` (as the SDK's loader reads it). */
export const variableName = (prefix: string, setting: string): string => prefix + setting.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
