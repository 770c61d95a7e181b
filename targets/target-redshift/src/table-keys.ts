import type { ColumnType, StreamPlan } from '@observes/target-core';
import type { TargetConfig } from './config.js';
import type { TableKeys } from './dialects/dialect.js';

/**
 * Sort and distribution keys of a table of a keyed stream, from the `sort_key` and `dist_key` settings: the
 * root's key columns, a child table's `_sdc_source_key_*` columns (so a root row and its child rows sit on the
 * same Redshift slice, and the merge's `DELETE ... USING` of each reads only the blocks its keys can be in).
 * Undefined for tables of key-less streams (they are only appended to) and when both settings are off.
 */
export function tableKeysOf(plan: StreamPlan, tableIndex: number, config: Pick<TargetConfig, 'sort_key' | 'dist_key'>): TableKeys | undefined {
  const table = plan.tables[tableIndex];
  if (!table || plan.keyProperties.length === 0) return undefined;
  const keys = table.columns.filter((c) => (table.parent === undefined ? c.key === true : c.role === 'source_key')).map((c) => c.name);
  if (keys.length === 0) return undefined;
  const sort = config.sort_key === 'key' ? keys : [];
  const dist = config.dist_key === 'key' ? keys[0] : undefined;
  return sort.length === 0 && dist === undefined ? undefined : { sort, ...(dist === undefined ? {} : { dist }) };
}

/** Whether a column's values have an order both warehouses compare with `min`/`max` (see `Dialect.deleteUsing`'s `range`). */
export function hasOrder(type: ColumnType | undefined): boolean {
  return type !== undefined && ['bigint', 'decimal', 'double', 'string', 'timestamp', 'date', 'time'].includes(type.kind);
}
