import { isExactNumber, type JsonRecord } from '@observes/protocol';
import type { StreamPlan } from './stream-plan.js';

/** A row: cell values aligned with its table plan's columns (null for missing). Values are JSON values or ExactNumbers. */
export type Row = unknown[];

/** Values the target adds to a root row besides the record's fields. */
export interface RowContext {
  /** Root row id of a key-less stream (see {@link RowIds}). */
  rowId?: string;
  /** Metadata column values by column name (`_sdc_extracted_at`...), when the plan has them. */
  metadata?: Record<string, unknown>;
}

type CellSource =
  | { kind: 'field'; path: string[] }
  | { kind: 'source_key'; index: number }
  | { kind: 'level_id'; level: number }
  | { kind: 'value' }
  | { kind: 'row_id' }
  | { kind: 'metadata'; name: string };

interface CompiledTable {
  index: number;
  cells: CellSource[];
  lists: Array<{ path: string[]; child: CompiledTable }>;
}

/** Reads a property path; anything that is not an object on the way yields null. */
function get(value: unknown, path: string[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || isExactNumber(v)) return null;
    v = (v as Record<string, unknown>)[p];
  }
  return v === undefined ? null : v;
}

/**
 * Flattens records into rows of the tables of a {@link StreamPlan}: compiled once per plan, then called
 * per record with no per-cell lookups by name. A list that is missing, null or not a list yields no child rows.
 */
export class RecordFlattener {
  readonly plan: StreamPlan;
  private readonly root: CompiledTable;

  constructor(plan: StreamPlan) {
    this.plan = plan;
    const compile = (index: number): CompiledTable => {
      const table = plan.tables[index];
      const cells: CellSource[] = table.columns.map((c) => {
        switch (c.role) {
          case 'field':
            return { kind: 'field', path: c.path! };
          case 'source_key':
            return { kind: 'source_key', index: plan.sourceKeyColumns.indexOf(c.name) };
          case 'level_id':
            return { kind: 'level_id', level: Number(c.path![0]) };
          case 'value':
            return { kind: 'value' };
          case 'row_id':
            return { kind: 'row_id' };
          case 'metadata':
            return { kind: 'metadata', name: c.name };
          default:
            throw new Error(`column ${c.name}: unknown role ${(c as { role: string }).role}`);
        }
      });
      const lists = plan.tables
        .map((t, i) => ({ t, i }))
        .filter(({ t }) => t.parent === table.name)
        .map(({ t, i }) => ({ path: t.listPath!, child: compile(i) }));
      return { index, cells, lists };
    };
    this.root = compile(0);
  }

  /** Appends the rows of one record to `out[tableIndex]` (indexes as in `plan.tables`). */
  flatten(record: JsonRecord, context: RowContext, out: Row[][]): void {
    const keys = this.plan.keyProperties.length > 0 ? this.plan.keyProperties.map((k) => get(record, [k])) : [context.rowId ?? null];
    this.emit(this.root, record, keys, [], context, out);
  }

  /** Flattens one record into fresh arrays, one per table. */
  flattenOne(record: JsonRecord, context: RowContext = {}): Row[][] {
    const out: Row[][] = this.plan.tables.map(() => []);
    this.flatten(record, context, out);
    return out;
  }

  private emit(table: CompiledTable, element: unknown, keys: unknown[], levels: number[], context: RowContext, out: Row[][]): void {
    const cells = table.cells;
    const row: Row = new Array(cells.length);
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      switch (cell.kind) {
        case 'field':
          row[i] = get(element, cell.path);
          break;
        case 'source_key':
          row[i] = keys[cell.index] ?? null;
          break;
        case 'level_id':
          row[i] = levels[cell.level];
          break;
        case 'value':
          row[i] = element === undefined ? null : element;
          break;
        case 'row_id':
          row[i] = context.rowId ?? null;
          break;
        case 'metadata':
          row[i] = context.metadata?.[cell.name] ?? (cell.name === '_sdc_deleted_at' ? get(element, [cell.name]) : null);
          break;
      }
    }
    out[table.index].push(row);
    for (const list of table.lists) {
      const items = get(element, list.path);
      if (!Array.isArray(items)) continue;
      for (let n = 0; n < items.length; n++) this.emit(list.child, items[n], keys, [...levels, n], context, out);
    }
  }
}
