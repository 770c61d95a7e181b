import { createHash } from 'node:crypto';
import { DEFAULT_LIMITS } from './warehouse-limits.js';

/** Longest identifier when the caller names no warehouse ({@link DEFAULT_LIMITS}); dialects pass their own. */
export const MAX_IDENTIFIER_BYTES = DEFAULT_LIMITS.identifierBytes;

/** Length of the hex hash suffix a shortened or disambiguated identifier ends with. */
const HASH_CHARS = 8;

/** First {@link HASH_CHARS} hex digits of the SHA-256 of `text`: short, stable across runs and machines. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_CHARS);
}

/**
 * Turns any field or stream name into a warehouse identifier: lowercase, only `[a-z0-9_]` (every other
 * character, including non-ASCII letters, becomes `_`), never starting with a digit (prefixed with `_`),
 * never empty, at most `maxBytes` bytes (the warehouse's limit, from its dialect; default {@link MAX_IDENTIFIER_BYTES}),
 * shortened by {@link shortenIdentifier}.
 */
export function toIdentifier(name: string, maxBytes = MAX_IDENTIFIER_BYTES): string {
  let id = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (id === '') id = '_';
  if (id.charCodeAt(0) >= 48 && id.charCodeAt(0) <= 57) id = '_' + id;
  return shortenIdentifier(id, maxBytes);
}

/**
 * Shortens an identifier (already `[a-z0-9_]`, so one byte per character) to `maxBytes`: it keeps the
 * head and appends `_` and a hash of the whole name, so two long names sharing a head stay distinct and
 * the same name always shortens the same way.
 */
export function shortenIdentifier(id: string, maxBytes = MAX_IDENTIFIER_BYTES): string {
  if (id.length <= maxBytes) return id;
  return id.slice(0, maxBytes - HASH_CHARS - 1) + '_' + shortHash(id);
}

/** Joins identifier parts with `__` (nested objects, child tables, variant columns) and shortens the result. */
export function joinIdentifier(parts: string[], maxBytes = MAX_IDENTIFIER_BYTES): string {
  return shortenIdentifier(parts.join('__'), maxBytes);
}

/** A column name proposed for one source field, before collisions are resolved. */
export interface ProposedName {
  /** The field's identity, unique within the table (e.g. its property path joined by NUL). */
  source: string;
  /** The identifier it maps to on its own. */
  id: string;
  /** True when the source spells the identifier exactly (e.g. field `author_id` → `author_id`): it keeps it. */
  exact: boolean;
  /** A name the target generates (`_sdc_row_id`, `_sdc_source_key_id`...): it always keeps it, and every field proposing it gets a suffix. */
  reserved?: boolean;
}

/**
 * Final names for the columns of one table, so two fields are never merged into one column silently.
 * A reserved (generated) name always keeps its identifier. Otherwise, when several sources propose one
 * identifier, those that spell it exactly keep it and every other one gets `_<hash of its source>` appended;
 * a field proposing a reserved name always gets the suffix. The outcome does not depend on the order fields
 * are declared in, and a field with a unique name keeps its plain identifier.
 */
export function resolveCollisions(proposed: ProposedName[], maxBytes = MAX_IDENTIFIER_BYTES): Map<string, string> {
  const byId = new Map<string, ProposedName[]>();
  for (const p of proposed) {
    const list = byId.get(p.id);
    if (list) list.push(p);
    else byId.set(p.id, [p]);
  }
  const out = new Map<string, string>();
  for (const [id, group] of byId) {
    const reserved = group.some((p) => p.reserved);
    for (const p of group) {
      const keeps = p.reserved || (!reserved && (group.length === 1 || p.exact));
      out.set(p.source, keeps ? id : shortenIdentifier(`${id}_${shortHash(p.source)}`, maxBytes));
    }
  }
  return out;
}
