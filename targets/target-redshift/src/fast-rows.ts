import { serializeJson, type JsonSchema, type ReadMessage, type RecordMessage, type StreamSchema } from '@observes/protocol';
import { RecordFlattener, RowIds, SchemaEvolution, fits, type ColumnType, type Row, type StreamPlan } from '@observes/target-core';
import type { EncoderStateBase, RecordEncoder } from '@observes/target-core/record-encoding-worker';
import { csvCell } from './csv-rows.js';

/** Columns of a table as the loader knows them (name, type); undefined: the table does not exist yet. */
export type TableColumns = Array<[string, ColumnType]> | undefined;

/** What the workers know of one stream: what the main thread plans and loads it with. */
export interface FastStream {
  plan: StreamPlan;
  /** The schema grown by `undeclared_fields: evolve` (its `SchemaEvolution.schema`), and what it treats as declared. */
  evolved: JsonSchema;
  maxNesting?: number;
  alsoDeclared: string[];
  /** The version a record without one belongs to (`replace_on_eof`). */
  eofVersion?: number;
  /** Columns of the live tables, in plan order. */
  live: TableColumns[];
  /** Columns of the staging tables of the version this process stages, in plan order. */
  staged?: { version: number; tables: TableColumns[] };
}

/** The state the main thread hands the workers (see `WarehouseSink.encodingSource`). */
export interface FastRowsState extends EncoderStateBase {
  streams: Record<string, FastStream>;
}

/** What the workers' encoder is created with. */
export interface FastRowsInit {
  /** Identifies the run in key-less rows' `_sdc_row_id`: the main thread's. */
  runId: string;
}

/** A record as the workers hand it back: its rows already as CSV, one text per plan table. */
export interface FastRecord {
  /** The serialized key of a keyed stream's record, as the sink deduplicates by. */
  key?: string;
  /** CSV rows per plan table (`''`: none), in the plan's column order. */
  csv: string[];
  /** Rows per plan table. */
  rows: number[];
}

interface CompiledTables {
  types: ColumnType[][];
  json: boolean[][];
}

interface CompiledStream {
  stream: FastStream;
  flattener: RecordFlattener;
  evolution: SchemaEvolution;
  live?: CompiledTables;
  staged?: { version: number; tables: CompiledTables };
}

/** Types and json flags of the plan's columns, or undefined when a table or a column is missing. */
function compileTables(plan: StreamPlan, tables: TableColumns[]): CompiledTables | undefined {
  const types: ColumnType[][] = [];
  const json: boolean[][] = [];
  for (let t = 0; t < plan.tables.length; t++) {
    const columns = tables[t];
    if (!columns) return undefined;
    const byName = new Map(columns);
    const row: ColumnType[] = [];
    for (const column of plan.tables[t].columns) {
      const type = byName.get(column.name);
      if (!type) return undefined;
      row.push(type);
    }
    types.push(row);
    json.push(row.map((type) => type.kind === 'json'));
  }
  return { types, json };
}

/**
 * The encoder of target-redshift's workers: flattens a checked record with the stream's plan and, when every
 * value fits the column that already holds it (so the batch's layout leaves it where it is and needs no change
 * for it), writes its rows as the CSV the loader would write. Anything else — a field the schema lacks, a table
 * or column not created yet, a value that needs a wider or a variant column — is left to the main thread, which
 * handles it exactly as without workers. Pure apart from the row ids' hashes.
 */
export class FastRowEncoder implements RecordEncoder<FastRecord> {
  private readonly rowIds: RowIds;
  private streams = new Map<string, CompiledStream>();

  constructor(init: FastRowsInit) {
    this.rowIds = new RowIds(init.runId);
  }

  setState(state: unknown): void {
    const { streams } = state as FastRowsState;
    const next = new Map<string, CompiledStream>();
    for (const [name, stream] of Object.entries(streams)) {
      const old = this.streams.get(name);
      // The flattener and evolution are compiled once per plan.
      const same = old && serializeJson([old.stream.plan, old.stream.evolved]) === serializeJson([stream.plan, stream.evolved]);
      const staged = stream.staged && compileTables(stream.plan, stream.staged.tables);
      next.set(name, {
        stream,
        flattener: same ? old.flattener : new RecordFlattener(stream.plan),
        evolution: same ? old.evolution : new SchemaEvolution(stream.evolved, { maxNesting: stream.maxNesting, alsoDeclared: stream.alsoDeclared }),
        live: compileTables(stream.plan, stream.live),
        staged: staged && stream.staged ? { version: stream.staged.version, tables: staged } : undefined,
      });
    }
    this.streams = next;
  }

  encode(read: ReadMessage & { message: RecordMessage }, schema: StreamSchema): FastRecord | undefined {
    const { message, line } = read;
    const compiled = this.streams.get(message.stream);
    if (!compiled) return undefined;
    const version = message.version ?? compiled.stream.eofVersion;
    // A version's staging table starts as the live one and only widens: a value the live column holds, it holds.
    const tables = version !== undefined && compiled.staged?.version === version ? compiled.staged.tables : compiled.live;
    if (!tables) return undefined;
    const record = message.record;
    if (compiled.evolution.undeclared(record).length > 0) return undefined;
    const plan = compiled.stream.plan;
    const keyed = plan.keyProperties.length > 0;
    const out: Row[][] = plan.tables.map(() => []);
    compiled.flattener.flatten(record, { rowId: keyed ? undefined : this.rowIds.of(plan.stream, line, record) }, out);
    const csv: string[] = [];
    const rows: number[] = [];
    for (let t = 0; t < out.length; t++) {
      const types = tables.types[t];
      const json = tables.json[t];
      let text = '';
      for (const row of out[t]) {
        for (let c = 0; c < row.length; c++) {
          const v = row[c];
          if (v !== null && v !== undefined && !fits(types[c], v)) return undefined;
          text += (c === 0 ? '' : ',') + csvCell(v, json[c]);
        }
        text += '\n';
      }
      csv.push(text);
      rows.push(out[t].length);
    }
    return { key: keyed ? serializeJson(schema.keyProperties.map((k) => record[k])) : undefined, csv, rows };
  }
}
