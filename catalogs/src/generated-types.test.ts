import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { catalogsDir, listTapFolders, loadSchema } from './load-schema.js';
import { generateAllTypes, recordTypeName } from './generate-types.js';

describe('generated record types', () => {
  it('are up to date with the schemas (run `npm run gen:types` and commit when this fails)', async function () {
    this.timeout(60_000);
    const expected = await generateAllTypes();
    for (const [file, content] of expected) {
      const target = path.join(catalogsDir, file);
      expect(existsSync(target), `${file} is missing`).to.equal(true);
      expect(readFileSync(target, 'utf8'), `${file} is stale`).to.equal(content);
    }
    const committed = readdirSync(path.join(catalogsDir, 'src/generated')).filter((f) => f.endsWith('.ts'));
    expect(committed.map((f) => `src/generated/${f}`).sort(), 'generated files without a schema folder').to.deep.equal([...expected.keys()].sort());
  });

  it('names record types after streams', () => {
    expect(recordTypeName('merge_requests')).to.equal('MergeRequestsRecord');
    expect(recordTypeName('check-results')).to.equal('CheckResultsRecord');
  });

  it('loads every schema of every tap as a JSON object schema', () => {
    for (const tap of listTapFolders()) {
      for (const file of readdirSync(path.join(catalogsDir, tap)).filter((f) => f.endsWith('.json'))) {
        const schema = loadSchema(tap, file.replace(/\.json$/, ''));
        expect(schema.type, `${tap}/${file}`).to.satisfy((t: unknown) => t === 'object' || (Array.isArray(t) && t.includes('object')));
      }
    }
    expect(loadSchema('example', 'orders')).to.deep.equal(loadSchema('tap-example', 'orders'));
    expect(() => loadSchema('tap-example', 'nope')).to.throw(/cannot load schema of stream "nope" of tap-example/);
  });
});
