/**
 * What a warehouse allows, which the pure core plans and fits within. The core names no warehouse: each
 * target dialect declares its limits in its capabilities and passes them in (see target-redshift's `DIALECTS`).
 */
export interface WarehouseLimits {
  /** The warehouse's name, for messages (`Redshift allows at most 1600 columns per table`). */
  warehouse: string;
  /** Longest identifier the warehouse keeps, in bytes (a longer one the server may truncate silently, so the core shortens first). */
  identifierBytes: number;
  /** Widest varchar, in bytes: a longer string is refused, never truncated. */
  varcharBytes: number;
  /** Most columns a table may have. */
  columns: number;
}

/**
 * The limits a caller that names no warehouse gets (pure tests, target-s3's CSV files, which load into
 * Redshift later): Redshift's, the strictest of the warehouses loaded so far in varchar size and columns.
 */
export const DEFAULT_LIMITS: WarehouseLimits = { warehouse: 'Redshift', identifierBytes: 127, varcharBytes: 65535, columns: 1600 };

/** `limits` with {@link DEFAULT_LIMITS} for what it leaves out. */
export function limitsOf(limits: Partial<WarehouseLimits> = {}): WarehouseLimits {
  return { ...DEFAULT_LIMITS, ...limits };
}
