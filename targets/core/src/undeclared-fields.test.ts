import { expect } from 'chai';
import { ExactNumber } from '@observes/protocol';
import { SchemaEvolution, inferSchema } from './undeclared-fields.js';
import { planStream } from './stream-plan.js';

describe('SchemaEvolution', () => {
  const schema = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      author: { anyOf: [{ type: 'object', properties: { name: { type: 'string' } } }, { type: 'null' }] },
      doc: { type: 'object' },
      steps: { type: 'array', items: { type: 'object', properties: { cmd: { type: 'string' } } } },
    },
  };

  it('finds fields the schema does not declare, at every level the plan flattens (not inside json columns)', () => {
    const evolution = new SchemaEvolution(schema);
    const record = { id: 1, extra: 'x', gone: null, author: { name: 'a', email: 'e' }, doc: { free: 1 }, steps: [{ cmd: 'c', exit: 0 }, { cmd: 'd' }] };
    expect(evolution.undeclared(record)).to.deep.equal(['/extra', '/author/email', '/steps/0/exit']);
    expect(evolution.undeclared({ id: 2, author: { name: 'b' } })).to.deep.equal([]);
  });

  it('declares them with the inferred schema, so the plan makes their columns', () => {
    const evolution = new SchemaEvolution(schema);
    const record = {
      id: 1,
      extra: 'x',
      count: new ExactNumber('123456789012345678901'),
      author: { name: 'a', email: 'e' },
      steps: [{ cmd: 'c', exit: 0 }],
      labels: ['a', 'b'],
    };
    evolution.declare(record, evolution.undeclared(record));
    expect(evolution.undeclared(record)).to.deep.equal([]);
    const plan = planStream('jobs', evolution.schema, ['id']);
    expect(plan.tables.map((t) => [t.name, t.columns.map((c) => c.name)])).to.deep.equal([
      ['jobs', ['id', 'author__name', 'author__email', 'doc', 'extra', 'count']],
      ['jobs__steps', ['_sdc_source_key_id', '_sdc_level_0_id', 'cmd', 'exit']],
      ['jobs__labels', ['_sdc_source_key_id', '_sdc_level_0_id', 'value']],
    ]);
    expect(schema.properties).to.not.have.property('extra');
  });

  it('infers types as a SCHEMA would declare them', () => {
    expect(inferSchema([1, 2.5])).to.deep.equal({ type: 'array', items: { type: 'number' } });
    expect(inferSchema([{ a: 1 }, { b: 'x' }])).to.deep.equal({
      type: 'array',
      items: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' } } },
    });
    expect(inferSchema([1, 'x'])).to.deep.equal({ type: 'array', items: {} });
    expect(inferSchema('2024-01-01T00:00:00Z')).to.deep.equal({ type: 'string' });
  });
});
