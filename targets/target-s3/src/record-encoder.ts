import { stringify } from 'csv-stringify/sync';
import { serializeJson, type JsonRecord, type JsonSchema } from '@observes/protocol';
import { planStream, RecordFlattener, rootRowId } from '@observes/target-core';

/** Text for one table's file, from one record. */
export interface EncodedRows {
  /** Table the rows belong to: the stream (JSON lines) or a flattened table (CSV). */
  table: string;
  /** The rows' text, each ending in `\n`. */
  text: string;
  /** Rows in `text`. */
  rows: number;
  /** Columns these rows hold: top-level properties (JSON lines) or the table's columns in file order (CSV). */
  columns: readonly string[];
}

/** Turns records of one stream (under one SCHEMA) into file text. */
export interface RecordEncoder {
  /** The rows one record makes, per table. */
  encode(record: JsonRecord): EncodedRows[];
}

/** Raw records as JSON lines; numbers a double cannot hold stay exact (`serializeJson`). */
export class JsonLinesEncoder implements RecordEncoder {
  constructor(private readonly stream: string) {}

  encode(record: JsonRecord): EncodedRows[] {
    return [{ table: this.stream, text: serializeJson(record) + '\n', rows: 1, columns: Object.keys(record) }];
  }
}

/** Marks NULL for csv-stringify's cast hook (so that NULL and the string `\N` stay apart). */
const NULL = Object.freeze({});

/**
 * The CSV dialect of target-redshift's loads: NULL is an unquoted `\N`, an empty string is `""`, the
 * string `\N` is quoted; objects and lists are JSON text; exact numbers keep their digits. No header row.
 */
const CSV_OPTIONS = {
  cast: {
    object: (value: object) => (value === NULL ? { value: '\\N', quote: false } : serializeJson(value)),
    boolean: (value: boolean) => String(value),
  },
  quoted_match: /^\\N$|^$|^\s|\s$/,
  quoted_empty: true,
};

/**
 * Records flattened with the shared flattening of `@observes/target-core` (nested objects as `__`
 * columns, lists as child tables with `_sdc_source_key_*` and `_sdc_level_*_id`), as CSV rows per table.
 */
export class CsvEncoder implements RecordEncoder {
  private readonly flattener: RecordFlattener;
  private readonly columns: string[][];

  constructor(
    private readonly stream: string,
    schema: JsonSchema,
    keyProperties: string[],
    maxNesting?: number,
  ) {
    this.flattener = new RecordFlattener(planStream(stream, schema, keyProperties, { maxNesting }));
    this.columns = this.flattener.plan.tables.map((t) => t.columns.map((c) => c.name));
  }

  encode(record: JsonRecord): EncodedRows[] {
    const keyless = this.flattener.plan.keyProperties.length === 0;
    const tables = this.flattener.flattenOne(record, keyless ? { rowId: rootRowId(this.stream, record) } : {});
    const out: EncodedRows[] = [];
    for (let i = 0; i < tables.length; i++) {
      const rows = tables[i];
      if (rows.length === 0) continue;
      const cells = rows.map((row) => row.map((v) => (v === null || v === undefined ? NULL : v)));
      out.push({ table: this.flattener.plan.tables[i].name, text: stringify(cells, CSV_OPTIONS), rows: rows.length, columns: this.columns[i] });
    }
    return out;
  }
}
