import { expect } from 'chai';
import { ExactNumber } from '@observes/protocol';
import { RecordFlattener } from './flatten-record.js';
import { locateColumn } from './column-locator.js';
import { planStream } from './stream-plan.js';
import { ColumnLimitError, LayoutError, layoutTable } from './table-layout.js';

describe('layoutTable', () => {
  const plan = planStream('users', { type: 'object', properties: { id: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } } }, ['id']);
  const rowsOf = (...records: Array<Record<string, unknown>>) => {
    const flattener = new RecordFlattener(plan);
    const out = plan.tables.map(() => [] as unknown[][]);
    for (const record of records) flattener.flatten(record, {}, out);
    return out;
  };

  it('never puts a key value in a variant column: a key column widens or the batch fails naming the column', () => {
    const [root, child] = rowsOf({ id: 1, tags: ['a'] }, { id: new ExactNumber('12345678901234567890'), tags: ['b'] });
    expect(layoutTable(plan.tables[0], new Map([['id', { kind: 'bigint' }]]), root).widen).to.deep.equal([
      { name: 'id', from: { kind: 'bigint' }, to: { kind: 'decimal', precision: 20, scale: 0 } },
    ]);
    expect(layoutTable(plan.tables[1], undefined, child).columns[0]).to.deep.equal({
      name: '_sdc_source_key_id',
      type: { kind: 'decimal', precision: 20, scale: 0 },
    });
    for (const key of ['abc', new ExactNumber('1' + '0'.repeat(39))]) {
      const [rows, childRows] = rowsOf({ id: 1, tags: [] }, { id: key, tags: ['x'] });
      const error = (() => {
        try {
          layoutTable(plan.tables[0], new Map([['id', { kind: 'bigint' }]]), rows);
        } catch (e) {
          return e as LayoutError;
        }
      })();
      expect(error).to.be.instanceOf(LayoutError);
      expect([error!.column, error!.rowIndex]).to.deep.equal(['id', 1]);
      expect(error!.problem).to.match(/^the key column \(bigint\) cannot hold the key value .*: key columns never take a variant column/);
      expect(() => layoutTable(plan.tables[1], new Map([['_sdc_source_key_id', { kind: 'bigint' }]]), childRows)).to.throw(LayoutError, /_sdc_source_key_id/);
    }
  });

  it("refuses more columns than Redshift's 1,600 before the database sees them", () => {
    const wide = planStream(
      'wide',
      { type: 'object', properties: Object.fromEntries(Array.from({ length: 1601 }, (_, i) => [`f${i}`, { type: 'integer' }])) },
      [],
    );
    expect(() => layoutTable(wide.tables[0], undefined, [])).to.throw(
      ColumnLimitError,
      'table wide would have 1602 columns; Redshift allows at most 1600 per table',
    );
  });

  it('names a variant column so it never takes the name of a declared field', () => {
    const p = planStream('t', { type: 'object', properties: { id: { type: 'integer' }, size: { type: 'integer' }, size__string: { type: 'string' } } }, ['id']);
    const layout = layoutTable(p.tables[0], undefined, [[1, 'XL', 'declared']]);
    expect(layout.columns.map((c) => c.name)).to.deep.equal(['id', 'size', 'size__string', `size__string_${layout.columns[3].name.slice(-8)}`]);
    expect(layout.rows).to.deep.equal([[1, null, 'declared', 'XL']]);
  });
});

describe('locateColumn', () => {
  const plan = planStream(
    'jobs',
    {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        author: { type: 'object', properties: { name: { type: 'string' } } },
        doc: { type: 'object' },
        tags: { type: 'array', items: { type: 'string' } },
        steps: { type: 'array', items: { type: 'object', properties: { cmd: { type: 'string' } } } },
      },
    },
    ['id'],
  );
  it('finds the table and column of a value from its JSON pointer', () => {
    expect(locateColumn(plan, '/author/name')).to.deep.equal({ table: 'jobs', column: 'author__name' });
    expect(locateColumn(plan, '/doc/deep/er')).to.deep.equal({ table: 'jobs', column: 'doc' });
    expect(locateColumn(plan, '/tags/3')).to.deep.equal({ table: 'jobs__tags', column: 'value' });
    expect(locateColumn(plan, '/steps/0/cmd')).to.deep.equal({ table: 'jobs__steps', column: 'cmd' });
    expect(locateColumn(plan, '/nowhere')).to.equal(undefined);
  });
});
