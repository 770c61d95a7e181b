import { isExactNumber, type JsonRecord, type JsonSchema } from '@observes/protocol';
import { loadSchema } from '@observes/tap-sdk';
import type { ZohoClient } from './zoho-client.js';

/** The users API (https://www.zoho.com/crm/developer/docs/api/v8/get-users.html). */
export const USERS_PATH = '/crm/v8/users';
/** "The default and the maximum possible value is 200." */
const PER_PAGE = 200;

/** Schema of the users stream: the documented user fields (`catalogs/tap-zoho-crm/users.json`). */
export const usersSchema: JsonSchema = loadSchema('tap-zoho-crm', 'users');

/** Keeps the fields the schema declares (nested objects too) and writes ids that came as bare numbers as text. */
function project(value: unknown, schema: JsonSchema): unknown {
  // An empty text where the schema wants a date is no date: null, as an empty CSV cell is.
  if (value === null || value === undefined || (value === '' && schema.format !== undefined)) return null;
  if (isExactNumber(value) || (typeof value === 'number' && schema.type !== undefined && [schema.type].flat().includes('string'))) return String(value);
  if (schema.properties && typeof value === 'object' && !Array.isArray(value)) {
    const out: JsonRecord = {};
    for (const [key, sub] of Object.entries(schema.properties)) {
      if (key in (value as JsonRecord)) out[key] = project((value as JsonRecord)[key], sub);
    }
    return out;
  }
  return value;
}

/**
 * Every CRM user, active or not (`type=AllUsers`), 200 a page, following `info.more_records`. Users have no bulk
 * read. Each record keeps the fields of {@link usersSchema}; the rest of the answer is not extracted.
 */
export async function* readUsers(client: ZohoClient): AsyncGenerator<JsonRecord> {
  for (let page = 1; ; page++) {
    const response = await client.request<{ users?: unknown[]; info?: { more_records?: boolean } }>('users', `reading users page ${page}`, {
      url: USERS_PATH,
      query: { type: 'AllUsers', page, per_page: PER_PAGE },
    });
    // No users answers 204 with no body.
    const users = response.body?.users ?? [];
    for (const user of users) yield project(user, usersSchema) as JsonRecord;
    if (response.body?.info?.more_records !== true || users.length === 0) return;
  }
}
