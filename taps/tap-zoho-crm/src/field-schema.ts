import type { JsonSchema } from '@observes/protocol';

/**
 * A module field as the prepare phase keeps it in the state: what the load needs to type the CSV column, taken from
 * the fields metadata API (`GET /crm/v8/settings/fields?module=…`, https://www.zoho.com/crm/developer/docs/api/v8/field-meta.html).
 */
export interface ZohoField {
  /** API name: the CSV column and the record key. */
  api_name: string;
  /** Zoho data type: `text`, `picklist`, `multiselectpicklist`, `integer`, `bigint`, `currency`, `datetime`, `lookup`… */
  data_type: string;
  /** Zoho's JSON type: `string`, `integer`, `double`, `boolean`, `jsonobject`, `jsonarray`. */
  json_type?: string;
  /** Result type of a formula or rollup summary field. */
  return_type?: string;
  /** Module a lookup points to; its CSV column holds that record's id. */
  lookup_module?: string;
}

/**
 * Field types a bulk read cannot export: file uploads and multi-select lookups are refused (peer evidence:
 * estuary/connectors source-zoho, `UNSUPPORTED_FIELD_DATA_TYPES`), subform rows live in their own module.
 */
export const BULK_UNSUPPORTED_TYPES = new Set(['fileupload', 'multiselectlookup', 'subform']);

/** What a CSV cell of a field becomes. */
export type ValueKind = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'list';

const KIND_BY_TYPE: Record<string, ValueKind> = {
  integer: 'integer',
  bigint: 'integer',
  long: 'integer',
  double: 'number',
  currency: 'number',
  percent: 'number',
  decimal: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  multiselectpicklist: 'list',
};

const KIND_BY_JSON_TYPE: Record<string, ValueKind> = { integer: 'integer', double: 'number', boolean: 'boolean' };

/**
 * The kind of a field's values. Lookups (`lookup`, `ownerlookup`, `userlookup`) export the related record's id, kept
 * as text like every Zoho id (19 digits do not fit a double). Formulas and rollups take their return type. Anything
 * not known to be typed stays text, so no value is ever refused for its type alone.
 */
export function valueKind(field: ZohoField): ValueKind {
  const type = field.data_type === 'formula' || field.data_type === 'rollup_summary' ? (field.return_type ?? 'text') : field.data_type;
  return KIND_BY_TYPE[type] ?? KIND_BY_JSON_TYPE[field.json_type ?? ''] ?? 'string';
}

/** The JSON Schema of one field's values (always nullable: an empty CSV cell is null). */
export function fieldSchema(field: ZohoField): JsonSchema {
  const kind = valueKind(field);
  const description = `Zoho ${field.data_type}${field.lookup_module ? ` (id of a ${field.lookup_module} record)` : ''}`;
  switch (kind) {
    case 'integer':
    case 'number':
    case 'boolean':
      return { type: [kind, 'null'], description };
    case 'date':
      return { type: ['string', 'null'], format: 'date', description };
    case 'datetime':
      return { type: ['string', 'null'], format: 'date-time', description: `${description}, ISO 8601 with the account's offset` };
    case 'list':
      return { type: ['array', 'null'], items: { type: 'string' }, description };
    default:
      return { type: ['string', 'null'], description };
  }
}

/** The schema of a module's records: `id` (text, the key) and every exported field. */
export function moduleSchema(module: string, fields: readonly ZohoField[]): JsonSchema {
  const properties: Record<string, JsonSchema> = { id: { type: 'string', description: 'record id' } };
  for (const field of fields) if (field.api_name !== 'id') properties[field.api_name] = fieldSchema(field);
  return { type: 'object', description: `Zoho CRM ${module}, from a bulk read export`, required: ['id'], properties };
}

/**
 * The fields of a metadata answer worth exporting, as kept in the state. Unsupported types are returned apart so
 * they can be reported, never dropped silently.
 */
export function exportableFields(metadata: unknown): { fields: ZohoField[]; unsupported: ZohoField[] } {
  const list = (metadata as { fields?: unknown } | undefined)?.fields;
  const fields: ZohoField[] = [];
  const unsupported: ZohoField[] = [];
  for (const raw of Array.isArray(list) ? list : []) {
    const item = raw as Record<string, unknown>;
    if (typeof item.api_name !== 'string' || typeof item.data_type !== 'string' || item.api_name === 'id') continue;
    const returnType =
      (item.formula as { return_type?: unknown } | undefined)?.return_type ?? (item.rollup_summary as { return_type?: unknown } | undefined)?.return_type;
    const lookupModule = (item.lookup as { module?: { api_name?: unknown } } | undefined)?.module?.api_name;
    const field: ZohoField = {
      api_name: item.api_name,
      data_type: item.data_type,
      ...(typeof item.json_type === 'string' ? { json_type: item.json_type } : {}),
      ...(typeof returnType === 'string' ? { return_type: returnType } : {}),
      ...(typeof lookupModule === 'string' ? { lookup_module: lookupModule } : {}),
    };
    (BULK_UNSUPPORTED_TYPES.has(field.data_type) ? unsupported : fields).push(field);
  }
  return { fields, unsupported };
}
