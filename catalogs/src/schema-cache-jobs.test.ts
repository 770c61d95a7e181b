import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openSchemaCache } from './schema-cache.js';
import { diffWithCache, inferToCache } from './schema-cache-jobs.js';
import { formatSchemaChanges } from './schema-diff.js';
import { textSource } from '@observes/testkit/text-streams';

describe('schema commands (observes schema infer/diff)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'schema-commands-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const day1 = '{"id":1,"name":"a","address":{"city":"x"}}\n{"id":2,"name":"b"}\n';
  const day2 = '{"id":1.5,"address":{"city":"x","zip":"1"},"tags":["t"]}\n';

  it('infers and saves, then finds no difference on the same data and every change on new data', async () => {
    const cache = openSchemaCache(dir);
    const saved = await inferToCache({ input: textSource(day1), cache, stream: 'people', keyProperties: ['id'] });
    expect(saved.map((s) => [s.schema.stream, s.records])).to.deep.equal([['people', 2]]);
    expect((await cache.read('people'))?.key_properties).to.deep.equal(['id']);

    const same = await diffWithCache({ input: textSource(day1), cache, stream: 'people', keyProperties: ['id'] });
    expect(same).to.have.length(1);
    expect(same[0]).to.include({ cached: true, keyChanged: false });
    expect(same[0].changes).to.deep.equal([]);

    const [changed] = await diffWithCache({ input: textSource(day2), cache, stream: 'people' });
    expect(formatSchemaChanges(changed.changes)).to.deep.equal([
      '~ /address: ["null","object"] -> "object"',
      '+ /address/zip: "string"',
      '~ /id: "integer" -> "number"',
      '- /name: "string"',
      '+ /tags: "array"',
    ]);
  });

  it('reports a stream the cache does not have as all added', async () => {
    const [diff] = await diffWithCache({ input: textSource('{"a":true}\n'), cache: openSchemaCache(dir), stream: 'new' });
    expect(diff.cached).to.equal(false);
    expect(formatSchemaChanges(diff.changes)).to.deep.equal(['+ /a: "boolean"']);
  });
});
