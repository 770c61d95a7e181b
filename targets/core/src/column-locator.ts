import { pointerTokens } from '@observes/protocol';
import type { StreamPlan, TablePlan } from './stream-plan.js';

/** The table and column a value of a record is stored in. */
export interface ColumnLocation {
  table: string;
  column: string;
}

/**
 * Where the value at a JSON pointer of a record (`/author/name`, `/tags/1`, `/jobs/0/id`) lands in a stream's
 * tables, so an error about a value can name its column. Undefined for a pointer the plan stores nowhere.
 */
export function locateColumn(plan: StreamPlan, pointer: string): ColumnLocation | undefined {
  const tokens = pointerTokens(pointer);
  const startsWith = (path: string[], at: number) => path.every((p, i) => tokens[at + i] === p);
  const within = (table: TablePlan, at: number): ColumnLocation | undefined => {
    if (at === tokens.length) {
      const value = table.columns.find((c) => c.role === 'value');
      return value ? { table: table.name, column: value.name } : undefined;
    }
    // A field: its own column, or the json column holding it whole.
    for (const column of table.columns) {
      if (column.role === 'field' && startsWith(column.path!, at)) return { table: table.name, column: column.name };
    }
    // A list item: the child table, after the list's path and the item's index.
    for (const child of plan.tables) {
      if (child.parent === table.name && startsWith(child.listPath!, at) && /^\d+$/.test(tokens[at + child.listPath!.length] ?? '')) {
        return within(child, at + child.listPath!.length + 1);
      }
    }
    return undefined;
  };
  return within(plan.tables[0], 0);
}
