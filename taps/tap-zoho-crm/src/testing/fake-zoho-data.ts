import { BULK_MODULES } from '../zoho-modules.js';

/** A field as the fields metadata API describes it (the keys the tap reads, and a few more for realism). */
export interface FakeFieldMeta {
  api_name: string;
  field_label: string;
  data_type: string;
  json_type: string;
  id: string;
  custom_field: boolean;
  lookup?: { module: { api_name: string; id: string } };
  formula?: { return_type: string };
}

/** A stored record: `id` and typed values (strings, numbers, booleans, lists of strings, null). */
export type FakeRecord = { id: string } & Record<string, string | number | boolean | string[] | null>;

const JSON_TYPES: Record<string, string> = {
  integer: 'integer',
  bigint: 'string',
  currency: 'double',
  double: 'double',
  percent: 'double',
  boolean: 'boolean',
  multiselectpicklist: 'jsonarray',
  multiselectlookup: 'jsonarray',
  subform: 'jsonarray',
  lookup: 'jsonobject',
  ownerlookup: 'jsonobject',
  fileupload: 'jsonarray',
  formula: 'double',
};

let fieldIds = 0;
function field(api_name: string, data_type: string, extra: Partial<FakeFieldMeta> = {}): FakeFieldMeta {
  return {
    api_name,
    field_label: api_name.replace(/_/g, ' '),
    data_type,
    json_type: JSON_TYPES[data_type] ?? 'string',
    id: `57257670000${String(++fieldIds).padStart(8, '0')}`,
    custom_field: false,
    ...extra,
  };
}
const lookup = (api_name: string, module: string) => field(api_name, 'lookup', { lookup: { module: { api_name: module, id: '5725767000000002177' } } });

/** The name field of each module. */
const NAME_FIELD: Record<string, string> = {
  Leads: 'Last_Name',
  Accounts: 'Account_Name',
  Contacts: 'Last_Name',
  Deals: 'Deal_Name',
  Campaigns: 'Campaign_Name',
  Tasks: 'Subject',
  Cases: 'Subject',
  Calls: 'Subject',
  Solutions: 'Solution_Title',
  Products: 'Product_Name',
  Vendors: 'Vendor_Name',
  Price_Books: 'Price_Book_Name',
  Quotes: 'Subject',
  Sales_Orders: 'Subject',
  Purchase_Orders: 'Subject',
  Invoices: 'Subject',
};

/** Fields of every module of the fake: standard ones, custom ones, and types a bulk read cannot export. */
export function fakeFields(module: string): FakeFieldMeta[] {
  const fields = [
    field(NAME_FIELD[module] ?? 'Name', 'text'),
    field('Owner', 'ownerlookup', { lookup: { module: { api_name: 'users', id: '5725767000000002001' } } }),
    field('Description', 'textarea'),
    field('Created_Time', 'datetime'),
    field('Modified_Time', 'datetime'),
  ];
  if (module === 'Leads') {
    fields.push(
      field('Email', 'email'),
      field('Lead_Status', 'picklist'),
      field('Annual_Revenue', 'currency'),
      field('No_of_Employees', 'integer'),
      field('Email_Opt_Out', 'boolean'),
      field('Hobbies', 'multiselectpicklist', { custom_field: true }),
      field('Big_Reference', 'bigint', { custom_field: true }),
      field('Birthday', 'date', { custom_field: true }),
      field('Score', 'formula', { custom_field: true, formula: { return_type: 'double' } }),
      field('Resume', 'fileupload', { custom_field: true }),
      field('Related_Products', 'multiselectlookup', { custom_field: true }),
    );
  }
  if (module === 'Contacts') fields.push(lookup('Account_Name', 'Accounts'), field('Email', 'email'));
  if (module === 'Deals')
    fields.push(lookup('Account_Name', 'Accounts'), field('Amount', 'currency'), field('Closing_Date', 'date'), field('Probability', 'percent'));
  if (['Quotes', 'Sales_Orders', 'Purchase_Orders', 'Invoices'].includes(module)) {
    fields.push(field('Grand_Total', 'formula', { formula: { return_type: 'currency' } }), field('Product_Details', 'subform'));
  }
  return fields;
}

/** Texts that test a CSV: quoting, embedded newlines (LF and CRLF), non-ASCII, spaces, a formula-looking value, a long one. */
export const EDGE_TEXTS = [
  'plain text',
  'comma, and "double quotes"',
  'line one\nline two',
  'crlf\r\ninside',
  'Ünïcödé façade — 中文 ✓ 😀',
  ' leading and trailing spaces ',
  'tab\tinside',
  '=SUM(A1:A2)',
  'ab'.repeat(2500),
  '"',
];

/** The ids of the fake's users: owners of every record. */
export const USER_IDS = ['5725767000000411001', '5725767000000411002', '5725767000000592002'];

/** Record ids of a module: 19 digits, unique across modules, ascending. */
function recordId(module: string, index: number): string {
  const moduleNumber = BULK_MODULES.indexOf(module as (typeof BULK_MODULES)[number]) + 10;
  return `57257670${moduleNumber}${String(index + 1).padStart(9, '0')}`;
}

function isoAt(index: number): string {
  const day = String((index % 28) + 1).padStart(2, '0');
  const minute = String(index % 60).padStart(2, '0');
  return `2024-03-${day}T10:${minute}:05+05:30`;
}

/** A value of a field for record `index` of `module`: every edge case comes round, and empty values too. */
function value(meta: FakeFieldMeta, module: string, index: number): FakeRecord[string] {
  switch (meta.data_type) {
    case 'text':
      return meta.api_name === NAME_FIELD[module]
        ? `${module} ${index + 1} ${EDGE_TEXTS[index % EDGE_TEXTS.length]}`
        : EDGE_TEXTS[(index + 3) % EDGE_TEXTS.length];
    case 'textarea':
      return index % 7 === 5 ? null : EDGE_TEXTS[index % EDGE_TEXTS.length];
    case 'email':
      return index % 5 === 4 ? null : `person.${index}@example.com`;
    case 'picklist':
      return ['Not Contacted', 'Contacted', 'Qualified'][index % 3];
    case 'currency':
      return index % 6 === 2 ? null : Math.round((index + 1) * 1234.56 * 100) / 100;
    case 'percent':
      return (index * 10) % 100;
    case 'integer':
      return index % 4 === 3 ? null : index * 7 - 20;
    case 'boolean':
      return index % 2 === 0;
    case 'multiselectpicklist':
      return index % 4 === 0 ? null : [['Chess'], ['Chess', 'Go'], ['Go', 'Café', 'Hiking, long']][index % 3];
    case 'bigint':
      // Beyond 2^53: must not be rounded anywhere.
      return index % 3 === 1 ? null : `9007199254740${String(993 + index).padStart(6, '0')}`;
    case 'date':
      return index % 5 === 0 ? null : `19${70 + (index % 30)}-0${(index % 9) + 1}-1${index % 10}`;
    case 'datetime':
      return isoAt(index);
    case 'formula':
      return Math.round(index * 3.25 * 100) / 100;
    case 'ownerlookup':
      return USER_IDS[index % USER_IDS.length];
    case 'lookup':
      return index % 3 === 2 ? null : recordId(meta.lookup!.module.api_name, index % 3);
    default:
      return `${meta.data_type} value ${index}`;
  }
}

/** `count` records of a module, with values for every field (the unexportable ones too). */
export function fakeRecords(module: string, count: number): FakeRecord[] {
  const fields = fakeFields(module);
  return Array.from({ length: count }, (_, index) => {
    const record: FakeRecord = { id: recordId(module, index) };
    for (const meta of fields) record[meta.api_name] = value(meta, module, index);
    return record;
  });
}

/** Users as the users API answers them (a subset of the documented fields, and some the tap does not extract). */
export function fakeUsers(): Record<string, unknown>[] {
  return USER_IDS.map((id, i) => ({
    id,
    zuid: String(856446230 + i),
    first_name: ['Patricia', null, 'Zoë'][i],
    last_name: ['Boyle', 'COQL', 'Ñúñez "Zee"'][i],
    full_name: ['Patricia Boyle', 'COQL', 'Zoë Ñúñez "Zee"'][i],
    email: `user${i}@example.com`,
    role: { name: 'CEO', id: '5725767000000026005' },
    profile: { name: i === 0 ? 'Administrator' : 'Standard', id: `57257670000000260${11 + i}` },
    status: i === 1 ? 'disabled' : 'active',
    confirm: i !== 1,
    time_zone: 'Asia/Kolkata',
    created_time: isoAt(i),
    Modified_Time: isoAt(i + 1),
    created_by: { name: 'Patricia Boyle', id: USER_IDS[0] },
    Modified_By: { name: 'Patricia Boyle', id: USER_IDS[0] },
    dob: null,
    type__s: 'Regular User',
    $current_shift: null,
    sort_order_props: { display_field: { api_name: 'full_name' } },
  }));
}

/**
 * The records the tap must emit for a module: the exportable fields only, values as the CSV round trip gives them
 * (`id` as text; what the fake holds as null stays null).
 */
export function expectedRecords(module: string, records: FakeRecord[]): Record<string, unknown>[] {
  const exportable = fakeFields(module).filter((f) => !['fileupload', 'multiselectlookup', 'subform'].includes(f.data_type));
  return records.map((record) =>
    Object.fromEntries([['id', record.id], ...exportable.map((f) => [f.api_name, record[f.api_name] === '' ? null : record[f.api_name]])]),
  );
}
