import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { lines, runCli, withoutCommits } from './testing/test-support.js';

describe('target-redshift on the embedded PGlite warehouse', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'pglite-warehouse-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads nested records with COPY through /dev/blob and merges a second run', async () => {
    const schema = {
      type: 'SCHEMA',
      stream: 'jobs',
      key_properties: ['id'],
      schema: {
        type: 'object',
        properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] }, tags: { type: 'array', items: { type: 'string' } } },
      },
    };
    const rec = (id: number, name: string | null, tags: string[]) => ({ type: 'RECORD', stream: 'jobs', record: { id, name, tags } });
    const config = { url: `pglite:${dir}`, schema: 'warehouse' };
    const first = await runCli(config, lines(schema, rec(1, 'a,"b"', ['x', 'y']), rec(2, null, []), { type: 'STATE', value: 1 }));
    expect(first.code, first.stderr).to.equal(0);
    const second = await runCli(config, lines(schema, rec(1, '\\N', ['z']), { type: 'STATE', value: 2 }));
    expect(second.code, second.stderr).to.equal(0);
    expect(withoutCommits(second.stdout)).to.equal(lines({ type: 'STATE', value: 2 }));
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(dir);
    try {
      expect((await db.query('SELECT id::int, name FROM warehouse.jobs ORDER BY id')).rows).to.deep.equal([
        { id: 1, name: '\\N' },
        { id: 2, name: null },
      ]);
      expect((await db.query('SELECT _sdc_source_key_id::int AS id, value FROM warehouse.jobs__tags')).rows).to.deep.equal([{ id: 1, value: 'z' }]);
    } finally {
      await db.close();
    }
  });
});
