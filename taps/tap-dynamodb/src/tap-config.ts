import type { JsonSchema } from '@observes/protocol';

/** tap-dynamodb's config (a JSON file; each setting can also come from `TAP_DYNAMODB_<SETTING>`, see the Tap SDK's `loadConfig`). */
export interface DynamoTapConfig {
  /** AWS region of the tables; default `AWS_REGION`, else `us-east-1`. */
  region?: string;
  /** DynamoDB endpoint (a local DynamoDB or dynalite); default AWS's. */
  endpoint?: string;
  /** Tables to extract; each becomes a stream of the same name. */
  tables: string[];
  /** Segments each table is scanned in (DynamoDB parallel scan); default `OBSERVES_ARRAY_SIZE`, else 1. */
  total_segments?: number;
  /**
   * Scan only this segment (one segment per process, for a phased pipeline); default `OBSERVES_ARRAY_INDEX`,
   * else `AWS_BATCH_JOB_ARRAY_INDEX`, else every segment in this process.
   */
  segment?: number;
  /** Segments scanned at the same time inside one process; default 4. */
  concurrency: number;
  /** Items per Scan page (`Limit`); default DynamoDB's 1 MB pages. */
  page_size?: number;
  /** Schema cache URL holding each table's schema: `s3://observes.cache/dynamodb/` or `file://dir`. */
  schema_cache: string;
  /** S3 endpoint for an `s3://` schema cache (a local S3 server); default `OBSERVES_S3_ENDPOINT`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, else AWS. */
  schema_cache_endpoint?: string;
  /** Throttled requests are retried this many times (with backoff) after the AWS SDK's own retries; default 10. */
  max_throttle_retries: number;
}

/**
 * JSON Schema of {@link DynamoTapConfig}: every error is listed at start, defaults are applied.
 * Integer settings may also be given as digit strings (what `${VAR}` interpolation in pipeline files yields).
 */
export const configSchema: JsonSchema = {
  type: 'object',
  required: ['tables', 'schema_cache'],
  additionalProperties: false,
  properties: {
    region: { type: 'string', minLength: 1 },
    endpoint: { type: 'string', pattern: '^https?://' },
    tables: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 3, maxLength: 255 } },
    total_segments: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    segment: { type: 'integer', minimum: 0 },
    concurrency: { type: 'integer', minimum: 1, maximum: 1000, default: 4 },
    page_size: { type: 'integer', minimum: 1 },
    schema_cache: { type: 'string', minLength: 1 },
    schema_cache_endpoint: { type: 'string', pattern: '^https?://' },
    max_throttle_retries: { type: 'integer', minimum: 0, default: 10 },
  },
};
