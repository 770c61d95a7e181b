import { buildCatalog, type Catalog, type StreamDescription } from '@observes/catalogs';
import { moduleSchema } from './field-schema.js';
import { moduleFields } from './module-fields.js';
import { usersSchema } from './users-api.js';
import { USERS_STREAM } from './zoho-modules.js';
import type { ZohoSession } from './zoho-session.js';

/**
 * The `--discover` catalog: one stream per configured module, its schema from the account's fields metadata (custom
 * fields included), keyed by `id` and replicated in full; `users` with its fixed schema.
 */
export async function discoverCatalog(session: ZohoSession): Promise<Catalog> {
  const streams: StreamDescription[] = [];
  for (const module of session.config.modules) {
    const schema = module === USERS_STREAM ? usersSchema : moduleSchema(module, await moduleFields(session.client, module, session.logger));
    streams.push({ name: module, schema, keyProperties: ['id'] });
  }
  return buildCatalog(streams);
}
