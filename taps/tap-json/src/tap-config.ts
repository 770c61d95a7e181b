import { setting, type SettingsOf } from '@observes/protocol';

/**
 * tap-json's settings, declared once: from `--config` (a JSON file), `TAP_JSON_<SETTING>` environment variables or
 * the matching command-line flags (`key_properties` ↔ `--key-properties`, a comma list), flags winning. The type
 * {@link JsonTapConfig}, validation, the flags, `--help`, `--about` and the README's table derive from it.
 */
export const configSchema = setting.object({
  input: setting.string({ minLength: 1, description: 'JSON-lines file to read (default: stdin)' }),
  stream: setting.string({ minLength: 1, default: 'records', description: 'stream name of bare objects' }),
  key_properties: setting.array(setting.string({ minLength: 1 }), {
    description: 'key properties of the streams whose schema tap-json determines (default: none, or the cached ones); records without them are refused',
  }),
  schema_cache: setting.string({
    minLength: 1,
    description: 'schema cache URL (s3://bucket/prefix/, file://dir or a plain path); without use_cached_schema, inferred schemas are saved there',
  }),
  schema_cache_endpoint: setting.string({
    pattern: '^https?://',
    description: 'S3 endpoint of an s3:// schema cache (a local S3 server); default OBSERVES_S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS',
  }),
  use_cached_schema: setting.boolean({
    default: false,
    description:
      'no inference: records must fit the cached schema (ajv, formats included); where it says string, other values are written as their JSON text, as inference does',
  }),
  only_schema: setting.boolean({ default: false, description: 'emit only the SCHEMA messages (nothing is spooled)' }),
  raw: setting.boolean({ default: false, description: 'every line is a raw record of stream, even one that looks like an envelope or a Singer message' }),
  spool_dir: setting.string({ minLength: 1, description: 'directory of the temporary spool file (default: the OS temp dir)' }),
  max_line_bytes: setting.integer({ minimum: 1, description: 'longest accepted line in bytes (default 128 MiB)' }),
});

/** The validated settings of tap-json. */
export type JsonTapConfig = SettingsOf<typeof configSchema>;
