import type { JsonRecord, JsonSchema } from '@observes/protocol';
import type { Catalog, CatalogEntry, CatalogMetadataValues, ReplicationMethod } from './catalog.js';

/** What a catalog chose for one stream. */
export interface StreamSelection {
  /** The stream's `tap_stream_id`. */
  stream: string;
  /** The schema restricted to the selected fields. */
  schema: JsonSchema;
  /** Top-level fields to emit; `undefined` means all of them. */
  fields: Set<string> | undefined;
  /** Replication method the catalog asks for, if it says. */
  replicationMethod: ReplicationMethod | undefined;
  /** Replication key the catalog asks for, if it says. */
  replicationKey: string | undefined;
}

/** The metadata of `entry` at `breadcrumb` (`[]` for the stream itself). */
export function metadataAt(entry: CatalogEntry, breadcrumb: readonly string[]): CatalogMetadataValues {
  const found = entry.metadata?.find((m) => m.breadcrumb.length === breadcrumb.length && m.breadcrumb.every((part, i) => part === breadcrumb[i]));
  return found?.metadata ?? {};
}

/** Singer's rule: `selected` wins, else `selected-by-default`, else not selected. `automatic` fields are always in. */
function isSelected(metadata: CatalogMetadataValues, fallback: boolean): boolean {
  if (metadata.inclusion === 'automatic') return true;
  if (metadata.inclusion === 'unsupported') return false;
  return metadata.selected ?? metadata['selected-by-default'] ?? fallback;
}

/** Whether a catalog entry is selected for syncing. */
export function isStreamSelected(entry: CatalogEntry): boolean {
  const meta = metadataAt(entry, []);
  // `selected` on the entry itself is the legacy (pre-metadata) way some tools mark selection.
  const legacy = (entry as unknown as { selected?: unknown }).selected;
  return meta.selected ?? (typeof legacy === 'boolean' ? legacy : undefined) ?? meta['selected-by-default'] ?? false;
}

/** Resolves what one catalog entry selects: fields, schema and replication overrides. */
export function selectionOf(entry: CatalogEntry): StreamSelection {
  const stream = metadataAt(entry, []);
  const properties = entry.schema.properties ?? {};
  const kept: Record<string, JsonSchema> = {};
  let all = true;
  for (const [name, schema] of Object.entries(properties)) {
    if (isSelected(metadataAt(entry, ['properties', name]), true)) kept[name] = schema;
    else all = false;
  }
  return {
    stream: entry.tap_stream_id,
    schema: all ? entry.schema : { ...entry.schema, properties: kept },
    fields: all ? undefined : new Set(Object.keys(kept)),
    replicationMethod: stream['forced-replication-method'] ?? stream['replication-method'] ?? entry.replication_method,
    replicationKey: stream['replication-key'] ?? entry.replication_key,
  };
}

/** The selections of every selected stream of `catalog`, keyed by stream id, in catalog order. */
export function applySelection(catalog: Catalog): Map<string, StreamSelection> {
  const out = new Map<string, StreamSelection>();
  for (const entry of catalog.streams ?? []) if (isStreamSelected(entry)) out.set(entry.tap_stream_id, selectionOf(entry));
  return out;
}

/** Keeps only the selected top-level fields of a record (a no-op when all are selected). */
export function pickFields(record: JsonRecord, fields: Set<string> | undefined): JsonRecord {
  if (!fields) return record;
  const out: JsonRecord = {};
  for (const key of Object.keys(record)) if (fields.has(key)) out[key] = record[key];
  return out;
}
