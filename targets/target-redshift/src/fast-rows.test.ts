import { expect } from 'chai';
import { StreamChecker, parseMessage, serializeJson, type JsonSchema, type ReadMessage, type RecordMessage, type StreamSchema } from '@observes/protocol';
import { RecordFlattener, RowIds, SchemaEvolution, layoutTable, planStream, type ColumnType, type Row, type StreamPlan } from '@observes/target-core';
import { csvChunks } from './csv-rows.js';
import { FastRowEncoder, type FastRowsState, type TableColumns } from './fast-rows.js';

/**
 * The workers' encoder against the main thread's path it stands in for (flatten, `layoutTable` against the same
 * columns, `csvChunks`): for every record it encodes, the CSV is the main thread's byte for byte and the layout
 * needs no change; it declines exactly the records whose layout would change a table (a wider or a variant
 * column) or that bring undeclared fields.
 */
const SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    amount: { type: ['null', 'number'] },
    flag: { type: ['null', 'boolean'] },
    at: { type: ['null', 'string'], format: 'date-time' },
    anything: {},
    user: { type: 'object', properties: { id: { type: 'integer' }, login: { type: ['null', 'string'] } } },
    tags: { type: 'array', items: { type: 'string' } },
    runs: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' }, note: { type: ['null', 'string'] } } } },
  },
};

/** Values a CSV writer gets wrong: quotes, separators, line breaks, edge whitespace, the NULL marker, big and tiny numbers. */
const HOSTILE = ['a,b', 'say "hi"', 'two\nlines', 'cr\r\n', ' lead', 'trail\t', '\\N', '', 'ügyfél', '\u00a0nb', '😀'];
const NUMBERS = ['0', '-1', '1e-7', '1.5E3', '12345678901234567890123456789012345678901', '9007199254740993', '0.1', '-0'];

function recordLines(): string[] {
  const out: string[] = [];
  let id = 0;
  for (const text of HOSTILE)
    for (const number of NUMBERS) {
      id++;
      const runs =
        id % 3 === 0
          ? []
          : [
              { n: id, note: text },
              { n: -id, note: null },
            ];
      out.push(
        `{"type":"RECORD","stream":"s","record":{"id":${id},"name":${JSON.stringify(text.slice(0, 2))},"amount":${number},"flag":${id % 2 === 0},` +
          `"at":${id % 5 === 0 ? null : '"2026-12-02T10:00:00.123456Z"'},"anything":${id % 4 === 0 ? JSON.stringify({ k: [text] }) : JSON.stringify(text)},` +
          `"user":{"id":${id * 7},"login":${JSON.stringify(text)}},"tags":${JSON.stringify([text, 'x'])},"runs":${JSON.stringify(runs)}}}`,
      );
    }
  // Values the first batch's columns cannot hold as they are: a longer name, a string where a number was, an undeclared field.
  out.push(`{"type":"RECORD","stream":"s","record":{"id":1001,"name":"${'longer than the column '.repeat(100)}"}}`);
  out.push(`{"type":"RECORD","stream":"s","record":{"id":1002,"amount":null,"user":{"id":7,"login":"${'x'.repeat(2000)}"}}}`);
  out.push('{"type":"RECORD","stream":"s","record":{"id":1003,"undeclared":1}}');
  out.push('{"type":"RECORD","stream":"s","record":{"id":1004,"runs":[{"n":1e400}]}}');
  return out;
}

describe('FastRowEncoder: worker-encoded CSV is the main thread’s', () => {
  const checker = new StreamChecker();
  const schemaMessage = { type: 'SCHEMA' as const, stream: 's', key_properties: ['id'], schema: SCHEMA };
  const current = checker.check({ line: 1, message: schemaMessage, size: 0 }) as StreamSchema;
  const plan: StreamPlan = planStream('s', SCHEMA, ['id']);
  const reads = recordLines().map((text, i): ReadMessage & { message: RecordMessage } => ({
    line: i + 2,
    message: parseMessage(text, i + 2) as RecordMessage,
    size: text.length,
  }));
  for (const read of reads) checker.check(read);

  /** The tables as a first batch of ordinary records left them (the main thread's path). */
  function firstBatchColumns(): Map<string, ColumnType>[] {
    const flattener = new RecordFlattener(plan);
    const rows: Row[][] = plan.tables.map(() => []);
    for (let id = 0; id < 3; id++)
      flattener.flatten(
        { id, name: 'ab', amount: 1.5, flag: true, at: null, anything: 'x', user: { id: 1, login: 'x' }, tags: ['t'], runs: [{ n: 1 }] },
        {},
        rows,
      );
    return plan.tables.map((table, t) => new Map(layoutTable(table, undefined, rows[t]).columns.map((c) => [c.name, c.type])));
  }

  const encoderWith = (live: TableColumns[], staged?: FastRowsState['streams'][string]['staged']) => {
    const encoder = new FastRowEncoder({ runId: 'run-1' });
    const evolution = new SchemaEvolution(SCHEMA);
    encoder.setState({
      schemas: { s: { schema: schemaMessage } },
      streams: { s: { plan, evolved: evolution.schema, alsoDeclared: [], live, staged } },
    } satisfies FastRowsState);
    return encoder;
  };

  it('writes exactly the CSV the main thread writes, and declines exactly what would change a table', () => {
    const columns = firstBatchColumns();
    const encoder = encoderWith(columns.map((c) => [...c]));
    const evolution = new SchemaEvolution(SCHEMA);
    const flattener = new RecordFlattener(plan);
    let encoded = 0;
    let declined = 0;
    for (const read of reads) {
      const fast = encoder.encode(read, current);
      const rows: Row[][] = plan.tables.map(() => []);
      flattener.flatten(read.message.record, {}, rows);
      const layouts = plan.tables.map((table, t) => layoutTable(table, columns[t], rows[t]));
      const changes = layouts.some((l, t) => l.add.length > 0 || l.widen.length > 0 || l.columns.length !== plan.tables[t].columns.length);
      const undeclared = evolution.undeclared(read.message.record).length > 0;
      expect(fast === undefined, `line ${read.line}: declined ⇔ the layout changes a table or fields are undeclared`).to.equal(changes || undeclared);
      if (!fast) {
        declined++;
        continue;
      }
      encoded++;
      expect(fast.key).to.equal(serializeJson([read.message.record.id]));
      for (let t = 0; t < plan.tables.length; t++) {
        const json = layouts[t].columns.map((c) => c.type.kind === 'json');
        expect(fast.csv[t], `line ${read.line}, table ${plan.tables[t].name}`).to.equal([...csvChunks(layouts[t].rows, { json })].join(''));
        expect(fast.rows[t]).to.equal(rows[t].length);
      }
    }
    expect(encoded).to.be.greaterThan(20);
    expect(declined).to.be.greaterThan(20);
  });

  it('gives key-less records the row ids the main thread gives them', () => {
    const keyless = planStream('s', SCHEMA, []);
    const encoder = new FastRowEncoder({ runId: 'run-1' });
    const flattener = new RecordFlattener(keyless);
    const rows: Row[][] = keyless.tables.map(() => []);
    const record = { id: 1, name: 'ab', tags: ['t'] };
    flattener.flatten(record, { rowId: new RowIds('run-1').of('s', 9, record) }, rows);
    const columns = keyless.tables.map((table, t) => [...layoutTable(table, undefined, rows[t]).columns.map((c): [string, ColumnType] => [c.name, c.type])]);
    encoder.setState({
      schemas: { s: { schema: { ...schemaMessage, key_properties: [] } } },
      streams: { s: { plan: keyless, evolved: SCHEMA, alsoDeclared: [], live: columns } },
    } satisfies FastRowsState);
    const text = `{"type":"RECORD","stream":"s","record":${JSON.stringify(record)}}`;
    const fast = encoder.encode({ line: 9, message: parseMessage(text, 9) as RecordMessage, size: text.length }, { ...current, keyProperties: [] });
    expect(fast?.key).to.equal(undefined);
    expect(fast?.csv[0]).to.equal([...csvChunks(rows[0])].join(''));
  });

  it('declines tables it does not know, and encodes a version against its staging tables once staged', () => {
    const columns = firstBatchColumns().map((c) => [...c]);
    const read = reads.find((r) => r.message.record.name === 'ab' || r.message.record.name === 'a,')!;
    expect(encoderWith([columns[0], undefined, ...columns.slice(2)]).encode(read, current)).to.equal(undefined);
    const versioned = { ...read, message: { ...read.message, version: 7 } };
    // Staging tables of version 7 only: the live ones do not exist yet (a first full refresh).
    const none = columns.map(() => undefined);
    expect(encoderWith(none, { version: 7, tables: columns }).encode(versioned, current)).to.not.equal(undefined);
    expect(encoderWith(none, { version: 6, tables: columns }).encode(versioned, current)).to.equal(undefined);
    expect(encoderWith(none, { version: 7, tables: columns }).encode(read, current)).to.equal(undefined);
  });
});
