import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExactNumber } from '@observes/protocol';
import type { Dialect, TypedColumn } from '../dialects/dialect.js';

/** Where each dialect's golden SQL file is (`<server>.sql`). */
export const SCRIPT_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-fixtures', 'sql');

/** The columns of the script's table: one of each type. */
export const columns: TypedColumn[] = [
  { name: 'id', type: { kind: 'bigint' } },
  { name: 'name', type: { kind: 'string', bytes: 256 } },
  { name: 'price', type: { kind: 'decimal', precision: 38, scale: 2 } },
  { name: 'ratio', type: { kind: 'double' } },
  { name: 'ok', type: { kind: 'boolean' } },
  { name: 'at', type: { kind: 'timestamp' } },
  { name: 'day', type: { kind: 'date' } },
  { name: 'clock', type: { kind: 'time' } },
  { name: 'doc', type: { kind: 'json' } },
];

const children: TypedColumn[] = [
  { name: '_sdc_source_key_id', type: { kind: 'bigint' } },
  { name: '_sdc_source_key_name', type: { kind: 'string', bytes: 256 } },
  { name: '_sdc_level_0_id', type: { kind: 'bigint' } },
  { name: 'value', type: { kind: 'string', bytes: 256 } },
];

/** Every statement kind of a dialect, in an order that runs on an empty schema. */
export function script(d: Dialect): string[] {
  const rows = [
    [
      1,
      "it's a \\ backslash",
      new ExactNumber('123456789012345678901234567890.12'),
      0.5,
      true,
      '2026-01-02T03:04:05Z',
      '2026-01-02',
      '03:04:05',
      { a: [1, 'x'] },
    ],
    [2, null, null, null, null, null, null, null, null],
  ];
  return [
    d.createSchema('s'),
    d.createTable('s', 't', columns),
    d.addColumn('s', 't', { name: 'extra', type: { kind: 'string', bytes: 256 } }),
    ...d.widenColumn('s', 't', { name: 'extra', from: { kind: 'string', bytes: 256 }, to: { kind: 'string', bytes: 1024 } }).statements,
    ...d.widenColumn('s', 't', { name: 'id', from: { kind: 'bigint' }, to: { kind: 'decimal', precision: 20, scale: 0 } }).statements,
    d.createTemp('_sdc_stage_0', 's', 't'),
    ...d.insertValues(d.quote('_sdc_stage_0'), columns, rows, 1 << 20),
    d.deleteUsing('s', 't', '_sdc_stage_0', [['id', 'id']]),
    d.insertFromTemp(
      's',
      't',
      '_sdc_stage_0',
      columns.map((c) => c.name),
    ),
    d.insertFromTemp('s', 't', '_sdc_stage_0', ['id'], 'name'),
    d.createTable('s', 't2', columns.slice(0, 2)),
    d.copyTable('s', 't', 't2', [
      ['id', 'id'],
      ['name', 'name'],
    ]),
    d.createTable('s', 't__c', children),
    ...d.insertValues(
      d.table('s', 't__c'),
      children,
      [
        [1, null, 0, 'child of 1 under the old key'],
        [null, 'x', 0, 'child under the new key'],
        [7, null, 0, 'child of a row not replaced'],
      ],
      1 << 20,
    ),
    d.deleteLegacyChildren('s', 't__c', 't', '_sdc_stage_0', [['id', 'id']], ['_sdc_source_key_name'], [['_sdc_source_key_id', 'id']]),
    d.dropTemp('_sdc_stage_0'),
    d.renameTable('s', 't', 't_old'),
    d.deleteAll('s', 't_old'),
    d.dropTable('s', 't_old'),
  ];
}
