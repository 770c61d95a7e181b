import type { JsonSchema } from '@observes/protocol';

/** How a stream is replicated: everything each run, or only what changed since the bookmark. */
export type ReplicationMethod = 'FULL_TABLE' | 'INCREMENTAL' | 'LOG_BASED';

/** Whether a field is always emitted (`automatic`), emitted when selected (`available`) or never (`unsupported`). */
export type Inclusion = 'available' | 'automatic' | 'unsupported';

/** Singer metadata keys, for a stream (breadcrumb `[]`) or a field (breadcrumb `["properties", name]`). */
export interface CatalogMetadataValues {
  /** Chosen by the user: sync this stream / field. */
  selected?: boolean;
  /** Default when `selected` is absent. */
  'selected-by-default'?: boolean;
  /** Stream: how it is replicated this run. */
  'replication-method'?: ReplicationMethod;
  /** Stream: the field bookmarks are kept on. */
  'replication-key'?: string;
  /** Field: whether it can be deselected. */
  inclusion?: Inclusion;
  /** Stream: primary key. */
  'table-key-properties'?: string[];
  /** Stream: fields that can serve as a replication key. */
  'valid-replication-keys'?: string[];
  /** Stream: the only replication method the tap supports. */
  'forced-replication-method'?: ReplicationMethod;
  [key: string]: unknown;
}

/** One metadata entry: where it applies and what it says. */
export interface CatalogMetadata {
  /** `[]` for the stream, `["properties", field]` for a top-level field. */
  breadcrumb: string[];
  metadata: CatalogMetadataValues;
}

/** One stream of a catalog. */
export interface CatalogEntry {
  tap_stream_id: string;
  stream: string;
  schema: JsonSchema;
  key_properties?: string[];
  replication_key?: string;
  replication_method?: ReplicationMethod;
  metadata: CatalogMetadata[];
}

/** A Singer catalog, as printed by `--discover` and read by `--catalog`. */
export interface Catalog {
  streams: CatalogEntry[];
}
