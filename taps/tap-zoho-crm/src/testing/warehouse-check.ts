import { expect } from 'chai';
import type { TestDatabase } from '@observes/testkit';
import { fakeFields, expectedRecords, type FakeRecord } from './fake-zoho-data.js';

/**
 * Every table of a schema with its rows, sorted: what a rerun must leave unchanged. Not the target's own
 * `_sdc_state` (its commit record: a rerun commits its state anew, with a new sequence and time).
 */
export async function dumpSchema(db: TestDatabase, schema: string): Promise<Record<string, string[]>> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> '_sdc_state' ORDER BY 1`,
    [schema],
  );
  const out: Record<string, string[]> = {};
  for (const { table_name } of tables) {
    const rows = await db.query(`SELECT * FROM "${schema}"."${table_name}"`);
    out[table_name] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return out;
}

/** A warehouse value as the fake's: numbers from bigint/numeric text, dates as text, instants compared by epoch. */
function normalise(value: unknown, dataType: string): unknown {
  if (value === null || value === undefined) return null;
  switch (dataType) {
    case 'integer':
    case 'currency':
    case 'percent':
    case 'formula':
      return Number(value);
    case 'datetime':
      return (value as Date).getTime();
    default:
      return value;
  }
}

/**
 * Checks a module's table (and its multi-select child tables) holds exactly the fake's records: same ids, every
 * exportable field equal (text byte for byte, numbers exact, instants equal, lists in order).
 */
export async function expectModuleRows(db: TestDatabase, schema: string, module: string, records: FakeRecord[]): Promise<void> {
  const table = module.toLowerCase();
  const fields = fakeFields(module).filter((f) => !['fileupload', 'multiselectlookup', 'subform'].includes(f.data_type));
  const scalar = fields.filter((f) => f.data_type !== 'multiselectpicklist');
  const columns = scalar.map((f) =>
    f.data_type === 'date'
      ? `"${f.api_name.toLowerCase()}"::text AS "${f.api_name}"`
      : f.data_type === 'bigint'
        ? `"${f.api_name.toLowerCase()}"::text AS "${f.api_name}"`
        : `"${f.api_name.toLowerCase()}" AS "${f.api_name}"`,
  );
  const rows = await db.query<Record<string, unknown>>(`SELECT id, ${columns.join(', ')} FROM "${schema}"."${table}" ORDER BY id`);
  const want = expectedRecords(module, records).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  expect(
    rows.map((r) => r.id),
    `${module} ids`,
  ).to.deep.equal(want.map((r) => r.id));
  for (const [i, row] of rows.entries()) {
    for (const f of scalar) {
      const expected = f.data_type === 'datetime' ? Date.parse(String(want[i][f.api_name])) : normalise(want[i][f.api_name], f.data_type);
      expect(normalise(row[f.api_name], f.data_type), `${module} ${row.id} ${f.api_name}`).to.deep.equal(expected);
    }
  }
  for (const list of fields.filter((f) => f.data_type === 'multiselectpicklist')) {
    const child = await db.query<{ key: string; value: string }>(
      `SELECT _sdc_source_key_id AS key, value FROM "${schema}"."${table}__${list.api_name.toLowerCase()}" ORDER BY _sdc_source_key_id, _sdc_level_0_id`,
    );
    const got = new Map<string, string[]>();
    for (const { key, value } of child) got.set(key, [...(got.get(key) ?? []), value]);
    for (const record of want) {
      const values = record[list.api_name] as string[] | null;
      expect(got.get(String(record.id)) ?? null, `${module} ${record.id} ${list.api_name}`).to.deep.equal(values && values.length > 0 ? values : null);
    }
  }
}
