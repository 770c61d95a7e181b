import { expect } from 'chai';
import { inferSchema } from './schema-inference.js';

// The inference rules on whole inputs are golden-tested through tap-json's output (taps/tap-json/testdata/inference).
describe('schema inference', () => {
  it('gives an object without properties when there are no records', () => {
    expect(inferSchema([])).to.deep.equal({ type: 'object', properties: {} });
  });

  it('sorts properties however the records order their keys', () => {
    const schema = inferSchema([{ b: 1, a: 'x', c: { z: 1, y: 2 } }]);
    expect(Object.keys(schema.properties!)).to.deep.equal(['a', 'b', 'c']);
    expect(Object.keys(schema.properties!.c.properties!)).to.deep.equal(['y', 'z']);
  });
});
