import { typesOf } from './env-overrides.js';
import type { SettingSchema } from './setting-builder.js';

const FLAG_TYPES: Record<string, 'string' | 'number' | 'boolean'> = { string: 'string', number: 'number', integer: 'number', boolean: 'boolean' };

/** The flag type of a setting that can be a command-line flag (a scalar, possibly nullable); undefined for lists and objects. */
export function flagType(schema: SettingSchema): 'string' | 'number' | 'boolean' | undefined {
  const types = [...new Set(typesOf(schema).filter((t) => t !== 'null'))];
  return types.length === 1 ? FLAG_TYPES[types[0]] : undefined;
}

/** A setting's flag: `bills_bucket` → `bills-bucket`. */
export const flagName = (setting: string): string => setting.replace(/_/g, '-');
