import type { DialectDefinition } from './dialect.js';
import { postgres } from './postgres/index.js';
import { redshift } from './redshift/index.js';

/**
 * Every dialect the target speaks, by the name the `dialect` setting gives. It drives config validation
 * (the names), selection at connect ({@link dialectFor}, the server's own dialect found by each entry's
 * `identifies`, in this order: the catch-all last) and everything the loader asks of a dialect. Adding a
 * dialect is one folder under `dialects/`, one entry here and one golden file (see the README).
 */
export const DIALECTS: Record<string, DialectDefinition> = { redshift, postgres };

/** The names of the registered dialects, for the `dialect` setting. */
export function dialectNames(): string[] {
  return Object.keys(DIALECTS);
}

/** The registered dialect of that name. */
export function dialectFor(name: string): DialectDefinition {
  const definition = DIALECTS[name];
  if (!definition) throw new Error(`no dialect named ${JSON.stringify(name)} (registered: ${dialectNames().join(', ')})`);
  return definition;
}
