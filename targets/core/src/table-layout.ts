import { InputError, isExactNumber, serializeJson } from '@observes/protocol';
import { describeType, sameType, type ColumnType } from './column-type.js';
import type { Row } from './flatten-record.js';
import { joinIdentifier, shortHash, shortenIdentifier } from './identifier.js';
import type { ColumnPlan, TablePlan } from './stream-plan.js';
import { fits, valueText, variantFor, widen } from './value-fit.js';
import { DEFAULT_LIMITS, limitsOf, type WarehouseLimits } from './warehouse-limits.js';

/** A column to add or a column to widen, as part of a {@link TableLayout}. */
export interface ColumnChange {
  name: string;
  /** Type before (absent for a new column). */
  from?: ColumnType;
  to: ColumnType;
}

/** What a batch of rows needs from its table, and the rows rearranged for loading. */
export interface TableLayout {
  table: string;
  /** The table does not exist yet: create it with {@link TableLayout.columns}. */
  create: boolean;
  /** Columns to add (new fields, new variant columns). */
  add: ColumnChange[];
  /** Columns whose type widens in place (longer varchar, bigint → double, more decimal digits). */
  widen: ColumnChange[];
  /** Columns the rows are loaded into, in row order, with their types after the changes. */
  columns: Array<{ name: string; type: ColumnType }>;
  /** The rows, aligned with `columns` (the input array itself when no value moved to a variant column). */
  rows: Row[];
}

/** Whether a column holds (part of) a row's key: a root key column, a child's `_sdc_source_key_*`, `_sdc_row_id`. */
export function isKeyColumn(column: ColumnPlan): boolean {
  return column.key === true || column.role === 'source_key' || column.role === 'row_id';
}

/** A batch would give a table more columns than the warehouse allows. */
export class ColumnLimitError extends InputError {
  readonly table: string;
  readonly columns: number;
  constructor(table: string, columns: number, limits: Pick<WarehouseLimits, 'warehouse' | 'columns'> = DEFAULT_LIMITS) {
    super(
      `table ${table} would have ${columns} columns; ${limits.warehouse} allows at most ${limits.columns} per table (keep wide nested objects whole with max_nesting, or split the stream)`,
    );
    this.table = table;
    this.columns = columns;
  }
}

/** A value no column can hold: names the table, column and row so the caller can name the record. */
export class LayoutError extends InputError {
  readonly table: string;
  readonly column: string;
  readonly rowIndex: number;
  /** What is wrong with the value, without the table and column. */
  readonly problem: string;
  constructor(table: string, column: string, rowIndex: number, cause: Error) {
    super(`table ${table}, column ${column}: ${cause.message}`, { cause });
    this.table = table;
    this.column = column;
    this.rowIndex = rowIndex;
    this.problem = cause.message;
  }
}

/**
 * Fits a batch of rows of `plan` to a table that has `existing` columns (undefined: no table yet).
 * Rules, applied per column: a new column is added with the planned type; a value the column stores
 * exactly stays; a value the column can store after a widening (see `widen`) widens it; any other value
 * goes to the typed variant column `<column>__<kind>` (added once, reused by every later batch), and
 * failing that to `<column>__string` as its exact text. Key columns (see {@link isKeyColumn}) never take a
 * variant: a key value that does not fit after a widening throws {@link LayoutError}, as does a string over
 * the widest varchar. More columns than the warehouse allows throws {@link ColumnLimitError}. The limits are the
 * warehouse's (its dialect's), {@link DEFAULT_LIMITS} for those left out. Pure: the caller applies the changes.
 */
export function layoutTable(
  plan: TablePlan,
  existing: ReadonlyMap<string, ColumnType> | undefined,
  rows: Row[],
  warehouseLimits: Partial<WarehouseLimits> = {},
): TableLayout {
  const limits = limitsOf(warehouseLimits);
  const maxIdentifierBytes = limits.identifierBytes;
  const maxVarchar = limits.varcharBytes;
  // A variant never takes the name of a planned column (a field spelled `size__string`): it gets a suffix then.
  const planned = new Set(plan.columns.map((c) => c.name));
  const variantName = (base: string, suffix: string) => {
    const name = joinIdentifier([base, suffix], maxIdentifierBytes);
    return planned.has(name) ? shortenIdentifier(`${name}_${shortHash(base)}`, maxIdentifierBytes) : name;
  };
  const types = new Map<string, ColumnType>(existing ?? []);
  const original = existing ?? new Map<string, ColumnType>();
  const added = new Set<string>();
  const ensure = (name: string, type: ColumnType) => {
    if (!types.has(name)) {
      types.set(name, type);
      added.add(name);
    }
  };
  const columns: string[] = [];
  const extra = new Set<string>();
  let moved: Array<{ row: number; from: number; to: string; value: unknown }> | undefined;

  plan.columns.forEach((column, i) => {
    ensure(column.name, column.type);
    columns.push(column.name);
    let type = types.get(column.name)!;
    if (added.has(column.name) && type.kind === 'double') type = exactNumberType(rows, i) ?? type;
    // When every value fits the column as it is (the usual case), the second pass has nothing to move.
    let allFit = true;
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r][i];
      if (v === null || fits(type, v)) continue;
      allFit = false;
      try {
        type = widen(type, v, maxVarchar) ?? type;
      } catch (error) {
        throw new LayoutError(plan.name, column.name, r, error as Error);
      }
    }
    types.set(column.name, type);
    if (allFit) return;
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r][i];
      if (v === null || fits(type, v)) continue;
      if (isKeyColumn(column)) {
        throw new LayoutError(
          plan.name,
          column.name,
          r,
          new Error(
            `the key column (${describeType(type)}) cannot hold the key value ${describeValue(v)}: key columns never take a variant column, since merges match on them; a key changes type only by a migration (rename the stream's tables and reload it)`,
          ),
        );
      }
      const target = placeVariant(column.name, v, r);
      (moved ??= []).push({ row: r, from: i, to: target.name, value: target.value });
    }
  });

  /**
   * A new number column whose first batch holds numbers a double cannot hold (ExactNumbers) is created as
   * the decimal that stores every value of the batch, when one of at most 38 digits does: no old values to keep.
   */
  function exactNumberType(batch: Row[], index: number): ColumnType | undefined {
    if (!batch.some((row) => isExactNumber(row[index]))) return undefined;
    let type: ColumnType = { kind: 'decimal', precision: 1, scale: 0 };
    for (const row of batch) {
      const v = row[index];
      if (v === null || fits(type, v)) continue;
      const wider = widen(type, v, maxVarchar);
      if (!wider) return undefined;
      type = wider;
    }
    return type;
  }

  function placeVariant(base: string, value: unknown, row: number): { name: string; value: unknown } {
    const variant = variantFor(value, maxVarchar);
    const attempt = (suffix: string, type: ColumnType, v: unknown): boolean => {
      const name = variantName(base, suffix);
      let current = types.get(name) ?? type;
      if (!fits(current, v)) {
        let wider: ColumnType | undefined;
        try {
          wider = widen(current, v, maxVarchar);
        } catch (error) {
          throw new LayoutError(plan.name, name, row, error as Error);
        }
        if (!wider) return false;
        current = wider;
      }
      if (!types.has(name)) added.add(name);
      types.set(name, current);
      extra.add(name);
      return true;
    };
    if (attempt(variant.suffix, variant.type, value)) return { name: variantName(base, variant.suffix), value };
    const text = valueText(value);
    if (attempt('string', variantFor(text, maxVarchar).type, text)) return { name: variantName(base, 'string'), value: text };
    throw new LayoutError(plan.name, variantName(base, 'string'), row, new Error(`cannot store ${describeType(variant.type)} value`));
  }

  const allColumns = [...columns, ...extra];
  if (types.size > limits.columns) throw new ColumnLimitError(plan.name, types.size, limits);
  let outRows = rows;
  if (moved) {
    const width = allColumns.length;
    const index = new Map(allColumns.map((c, i) => [c, i]));
    outRows = rows.map((row) => {
      const copy = row.slice();
      copy.length = width;
      copy.fill(null, row.length);
      return copy;
    });
    for (const m of moved) {
      outRows[m.row][m.from] = null;
      outRows[m.row][index.get(m.to)!] = m.value;
    }
  }
  const add: ColumnChange[] = [];
  const widened: ColumnChange[] = [];
  for (const [name, type] of types) {
    if (added.has(name)) add.push({ name, to: type });
    else if (!sameType(original.get(name)!, type)) widened.push({ name, from: original.get(name)!, to: type });
  }
  return {
    table: plan.name,
    create: existing === undefined,
    add: existing === undefined ? [] : add,
    widen: widened,
    columns: allColumns.map((name) => ({ name, type: types.get(name)! })),
    rows: outRows,
  };
}

/** A value as an error message shows it: its JSON (exact numbers as written), cut after 100 characters. */
function describeValue(value: unknown): string {
  const text = isExactNumber(value) ? value.value : serializeJson(value);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
