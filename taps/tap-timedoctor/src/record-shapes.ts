import type { JsonRecord } from '@observes/protocol';

/** A query parameter that makes a URL a credential: cloud storage signatures (GCS V2/V4, S3 SigV4). */
const SIGNATURE_PARAMETER = /[?&](x-goog-signature|signature|x-amz-signature|x-goog-credential)=/i;

/** Whether a value is a signed URL (screenshots are served as Google Cloud Storage signed URLs). */
function isSignedUrl(value: unknown): boolean {
  return typeof value === 'string' && /^https?:\/\//i.test(value) && SIGNATURE_PARAMETER.test(value);
}

/**
 * The record without its signed URLs, at any depth: a signed URL is a bearer credential to the screenshot itself,
 * and the warehouse keeps activity metadata, never images nor links that open them.
 */
export function withoutSignedUrls(record: JsonRecord): JsonRecord {
  const clean = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.filter((item) => !isSignedUrl(item)).map(clean);
    if (value && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, item]) => !isSignedUrl(item))
          .map(([key, item]) => [key, clean(item)]),
      );
    }
    return value;
  };
  return clean(record) as JsonRecord;
}

/** A worklog row with `end` (`start` plus `time` seconds) and its company. */
export function worklogRecord(row: JsonRecord, company: string): JsonRecord {
  const start = Date.parse(String(row.start));
  const seconds = typeof row.time === 'number' ? row.time : Number(row.time);
  const end = Number.isFinite(start) && Number.isFinite(seconds) ? new Date(start + seconds * 1000).toISOString() : null;
  return { ...row, end, company_id: company };
}

/** An activity (screenshot metadata) row with its company, without signed URLs. */
export function activityRecord(row: JsonRecord, company: string): JsonRecord {
  return { ...withoutSignedUrls(row), company_id: company };
}
