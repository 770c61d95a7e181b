/**
 * The contract between a target package and {@link targetSuite}: what the target declares it can do,
 * and the fixture that lets the suite read back what the target stored.
 * @module
 */

/** What a target does with the data, so the suite knows which results to expect. */
export interface TargetCapabilities {
  /**
   * The target merges records by their key properties: a key sent twice (in one run or across runs)
   * ends up as one row holding the latest values. When false, every RECORD is expected as a row.
   */
  mergesByKey: boolean;
  /**
   * The target flattens nested data: lists become child tables named `<parent>__<field>` (lowercase,
   * deeper lists append further `__<field>`), nested objects become `<parent_field>__<child_field>` columns.
   */
  flattens: boolean;
  /**
   * The target honours ACTIVATE_VERSION: rows of older versions of a stream are removed.
   * Defaults to `mergesByKey`.
   */
  activatesVersions?: boolean;
}

/**
 * One fresh destination (a database, a schema, a bucket prefix…) the target writes into.
 * The suite calls {@link TargetSuiteOptions.setup} once per canonical stream, so stream names may repeat
 * across canonical streams without clashing, and calls {@link TargetFixture.teardown} after it.
 */
export interface TargetFixture {
  /** The target's config; the suite writes it to a temporary file and passes `--config <file>`. */
  config: Record<string, unknown>;
  /** Extra environment variables for the target process (added to the suite's own environment). */
  env?: Record<string, string>;
  /**
   * Rows of a stream's root table (or, for flattening targets, of a child table such as `jobs__tags`)
   * as the target stored them, one object per row, keyed by column name.
   * Values may be strings, numbers, booleans, null, `Date`s or `ExactNumber`s: the suite compares them
   * by meaning (exact decimal text, instants), never through a double.
   * Must return `[]` for a table that does not exist.
   */
  rows(table: string): Promise<Record<string, unknown>[]>;
  /** Bare names (lowercase, no schema prefix) of every table or object set the target created. */
  tables(): Promise<string[]>;
  /** Removes everything {@link TargetSuiteOptions.setup} made. */
  teardown(): Promise<void>;
}

/** Options of {@link targetSuite}. */
export interface TargetSuiteOptions {
  /** Name shown in the mocha `describe` title, e.g. `target-redshift (postgres)`. */
  name: string;
  /** Absolute path of the target's executable JavaScript (its `bin/<name>.js` shim); run as `node <bin> --config <file>`. */
  bin: string;
  /** What the target does, so the suite expects the right row counts and tables. */
  capabilities: TargetCapabilities;
  /** Makes a fresh destination for one canonical stream. */
  setup(): Promise<TargetFixture>;
  /**
   * Only run these canonical streams (names of `tests/streams/<name>.jsonl`); default all.
   * Meant for debugging one stream, not for skipping failures.
   */
  only?: string[];
}
