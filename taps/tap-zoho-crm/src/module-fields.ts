import type { Logger } from '@observes/protocol';
import type { StreamSelection } from '@observes/catalogs';
import { exportableFields, type ZohoField } from './field-schema.js';
import type { ZohoClient } from './zoho-client.js';

/** The fields metadata API (https://www.zoho.com/crm/developer/docs/api/v8/field-meta.html). */
export const FIELDS_PATH = '/crm/v8/settings/fields';

/**
 * The fields of a module a bulk read can export, from `GET /crm/v8/settings/fields?module=<module>` (`{"fields": [...]}`,
 * every layout's fields). Fields of types a bulk read refuses are left out with a warning naming them.
 */
export async function moduleFields(client: ZohoClient, module: string, logger: Logger): Promise<ZohoField[]> {
  const response = await client.request('fieldsMetadata', `reading the fields of ${module}`, { url: FIELDS_PATH, query: { module } });
  const { fields, unsupported } = exportableFields(response.body);
  if (unsupported.length > 0) {
    logger.warn('fields a bulk read cannot export are not extracted', { module, fields: unsupported.map((f) => `${f.api_name} (${f.data_type})`) });
  }
  if (fields.length === 0) throw new Error(`the fields metadata of ${module} lists no field a bulk read can export`);
  return fields;
}

/** The fields a catalog selected (all of them without a catalog, or when it selects every field). */
export function selectedFields(fields: ZohoField[], selection: StreamSelection | undefined): ZohoField[] {
  const chosen = selection?.fields;
  return chosen ? fields.filter((f) => chosen.has(f.api_name)) : fields;
}

/** The modules to extract: the configured ones, narrowed by a catalog's selection when there is one. */
export function selectedModules(modules: string[], selection: Map<string, StreamSelection> | undefined): string[] {
  return selection ? modules.filter((m) => selection.has(m)) : modules;
}
