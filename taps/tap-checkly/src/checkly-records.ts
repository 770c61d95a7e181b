import type { JsonRecord } from '@observes/protocol';
import type { CheckResultsRecord, ChecksRecord } from '@observes/catalogs/generated/tap-checkly';

/**
 * Checkly API objects as the tap reads them: the fields their stream's schema declares, typed by the record types
 * `npm run gen:types` generates from `catalogs/tap-checkly/*.json`, and whatever else Checkly sends.
 */
export type ChecklyCheck = ChecksRecord & JsonRecord;
/** A raw check result (GET /v2/check-results/{checkId}). */
export type ChecklyCheckResult = CheckResultsRecord & JsonRecord;
