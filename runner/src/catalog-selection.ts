/** A Singer catalog entry, loosely typed: taps add their own fields. */
interface CatalogStream {
  tap_stream_id?: string;
  stream?: string;
  metadata?: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
  [key: string]: unknown;
}

/**
 * Marks the streams named in `select` as selected in a discovered catalog (and every other stream
 * as not selected), by setting `selected` in each stream's top-level metadata. Pure.
 * @throws naming the streams the catalog does not have
 */
export function selectStreams(catalog: unknown, select: string[]): { streams: CatalogStream[] } {
  const streams = (catalog as { streams?: CatalogStream[] } | undefined)?.streams;
  if (!Array.isArray(streams)) throw new Error('the discovered catalog has no "streams" list');
  const wanted = new Set(select);
  const names = (s: CatalogStream) => [s.tap_stream_id, s.stream].filter((n): n is string => typeof n === 'string');
  const unknown = select.filter((name) => !streams.some((s) => names(s).includes(name)));
  if (unknown.length > 0) {
    throw new Error(`select names streams the tap does not have: ${unknown.join(', ')} (it has: ${streams.map((s) => names(s)[0]).join(', ')})`);
  }
  return {
    ...(catalog as object),
    streams: streams.map((stream) => {
      const selected = names(stream).some((n) => wanted.has(n));
      const metadata = [...(stream.metadata ?? [])];
      const top = metadata.findIndex((m) => Array.isArray(m.breadcrumb) && m.breadcrumb.length === 0);
      if (top === -1) metadata.unshift({ breadcrumb: [], metadata: { selected } });
      else metadata[top] = { ...metadata[top], metadata: { ...metadata[top].metadata, selected } };
      return { ...stream, metadata };
    }),
  };
}
