import type { JsonSchema } from '@observes/protocol';
import type { Catalog, CatalogEntry, CatalogMetadata } from './catalog.js';

/** What a catalog needs to know about a declared stream. */
export interface StreamDescription {
  /** Stream name, also its `tap_stream_id`. */
  name: string;
  /** JSON Schema of its records. */
  schema: JsonSchema;
  /** Primary key. */
  keyProperties: string[];
  /** Field bookmarks are kept on; absent for full-table streams. */
  replicationKey?: string;
  /** Whether the stream is selected when a catalog does not say; default true. */
  selectedByDefault?: boolean;
}

/** Builds the catalog entry of one declared stream, with stream and field metadata. */
export function buildCatalogEntry(stream: StreamDescription): CatalogEntry {
  const method = stream.replicationKey ? 'INCREMENTAL' : 'FULL_TABLE';
  const automatic = new Set([...stream.keyProperties, ...(stream.replicationKey ? [stream.replicationKey] : [])]);
  const metadata: CatalogMetadata[] = [
    {
      breadcrumb: [],
      metadata: {
        inclusion: 'available',
        'selected-by-default': stream.selectedByDefault ?? true,
        'table-key-properties': stream.keyProperties,
        'forced-replication-method': method,
        ...(stream.replicationKey ? { 'valid-replication-keys': [stream.replicationKey], 'replication-key': stream.replicationKey } : {}),
        'replication-method': method,
      },
    },
  ];
  for (const field of Object.keys(stream.schema.properties ?? {})) {
    metadata.push({
      breadcrumb: ['properties', field],
      metadata: { inclusion: automatic.has(field) ? 'automatic' : 'available', 'selected-by-default': true },
    });
  }
  return {
    tap_stream_id: stream.name,
    stream: stream.name,
    schema: stream.schema,
    key_properties: stream.keyProperties,
    ...(stream.replicationKey ? { replication_key: stream.replicationKey } : {}),
    replication_method: method,
    metadata,
  };
}

/** Builds the catalog `--discover` prints for a tap's declared streams. */
export function buildCatalog(streams: readonly StreamDescription[]): Catalog {
  return { streams: streams.map(buildCatalogEntry) };
}
