import type { JsonSchema } from '@observes/protocol';

/**
 * tap-json's settings, from `--config` (a JSON file), `TAP_JSON_<SETTING>` environment variables or the
 * matching command-line flags (`key_properties` ↔ `--key-properties`), flags winning.
 */
export interface JsonTapConfig {
  /** JSON-lines file to read; default stdin. */
  input?: string;
  /** Stream name of bare objects; default `records`. */
  stream: string;
  /** Key properties of the streams whose schema tap-json determines; default none (or the cached ones). */
  key_properties?: string[];
  /** Schema cache URL (`s3://observes.cache/<name>/` or `file://dir`): inferred schemas are saved there. */
  schema_cache?: string;
  /** S3 endpoint for an `s3://` schema cache (a local S3 server); default `OBSERVES_S3_ENDPOINT`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, else AWS. */
  schema_cache_endpoint?: string;
  /** Take schemas from the cache instead of inferring; records must fit them. Default false. */
  use_cached_schema: boolean;
  /** Emit only the SCHEMA messages. Default false. */
  only_schema: boolean;
  /** Every line is a raw record of `stream`, even one that looks like an envelope or a Singer message. Default false. */
  raw: boolean;
  /** Directory of the temporary spool file; default the OS temp dir. */
  spool_dir?: string;
  /** Longest accepted line in bytes; default 128 MiB. */
  max_line_bytes?: number;
}

/** JSON Schema of {@link JsonTapConfig}: every error is listed at start, defaults are applied. */
export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    input: { type: 'string', minLength: 1 },
    stream: { type: 'string', minLength: 1, default: 'records' },
    key_properties: { type: 'array', items: { type: 'string', minLength: 1 } },
    schema_cache: { type: 'string', minLength: 1 },
    schema_cache_endpoint: { type: 'string', pattern: '^https?://' },
    use_cached_schema: { type: 'boolean', default: false },
    only_schema: { type: 'boolean', default: false },
    raw: { type: 'boolean', default: false },
    spool_dir: { type: 'string', minLength: 1 },
    max_line_bytes: { type: 'integer', minimum: 1 },
  },
};
