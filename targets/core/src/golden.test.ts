import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkGolden } from '@observes/testkit/golden-file';
import { isExactNumber, parseJsonLossless, serializeJson, type JsonRecord, type JsonSchema } from '@observes/protocol';
import { describeType, type ColumnType } from './column-type.js';
import { RecordFlattener } from './flatten-record.js';
import { RowIds } from './row-id.js';
import { planStream, type PlanOptions } from './stream-plan.js';
import { layoutTable } from './table-layout.js';

// Golden files: input.json → expected.json, compared as exact text. `OBSERVES_UPDATE_GOLDEN=1` rewrites them (review the diff).
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures');

function compareGolden(file: string, actual: unknown): void {
  checkGolden(file, pretty(actual, '') + '\n');
}

/** Indented JSON whose rows (arrays of scalars) stay on one line, written with serializeJson so exact numbers stay exact. */
function pretty(value: unknown, indent: string): string {
  const inner = indent + '  ';
  const scalar = (v: unknown) => v === null || typeof v !== 'object' || isExactNumber(v);
  if (Array.isArray(value)) {
    if (value.length === 0 || value.every(scalar)) return serializeJson(value);
    return `[\n${value.map((v) => inner + pretty(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (scalar(value)) return serializeJson(value);
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pretty(v, inner)}`).join(',\n')}\n${indent}}`;
}

const showType = (t: ColumnType) => describeType(t);

interface PlanCase {
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  options?: PlanOptions;
  records: JsonRecord[];
}

describe('target-core golden files', () => {
  describe('plans and rows', () => {
    for (const name of readdirSync(join(fixtures, 'plans')).sort()) {
      it(name, () => {
        const input = parseJsonLossless(readFileSync(join(fixtures, 'plans', name, 'input.json'), 'utf8')) as PlanCase;
        const plan = planStream(input.stream, input.schema, input.key_properties, input.options);
        const flattener = new RecordFlattener(plan);
        const rows = plan.tables.map(() => [] as unknown[][]);
        const rowIds = new RowIds('golden-run');
        for (const [i, record] of input.records.entries()) {
          flattener.flatten(record, { rowId: plan.keyProperties.length ? undefined : rowIds.of(plan.stream, i + 1, record) }, rows);
        }
        compareGolden(join(fixtures, 'plans', name, 'expected.json'), {
          keyColumns: plan.keyColumns,
          sourceKeyColumns: plan.sourceKeyColumns,
          tables: plan.tables.map((t, i) => ({
            name: t.name,
            parent: t.parent,
            listPath: t.listPath,
            depth: t.depth,
            columns: t.columns.map((c) => `${c.name} ${showType(c.type)} ${c.role}${c.path ? ' ' + c.path.join('.') : ''}`),
            rows: rows[i],
          })),
        });
      });
    }
  });

  describe('layouts (fitting batches to existing tables)', () => {
    for (const name of readdirSync(join(fixtures, 'layouts')).sort()) {
      it(name, () => {
        const input = parseJsonLossless(readFileSync(join(fixtures, 'layouts', name, 'input.json'), 'utf8')) as PlanCase & {
          existing?: Record<string, ColumnType>;
        };
        const plan = planStream(input.stream, input.schema, input.key_properties, input.options);
        const flattener = new RecordFlattener(plan);
        const rows: unknown[][] = [];
        for (const record of input.records) rows.push(...flattener.flattenOne(record, { rowId: 'r' })[0]);
        const existing = input.existing ? new Map(Object.entries(input.existing)) : undefined;
        const layout = layoutTable(plan.tables[0], existing, rows);
        compareGolden(join(fixtures, 'layouts', name, 'expected.json'), {
          create: layout.create,
          add: layout.add.map((c) => `${c.name} ${showType(c.to)}`),
          widen: layout.widen.map((c) => `${c.name} ${showType(c.from!)} -> ${showType(c.to)}`),
          columns: layout.columns.map((c) => `${c.name} ${showType(c.type)}`),
          rows: layout.rows,
        });
      });
    }
  });
});
