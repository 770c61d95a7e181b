import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import * as yauzl from 'yauzl';
import { InputError, type JsonRecord } from '@observes/protocol';
import { CellError, cellValue } from './csv-value.js';
import { valueKind, type ValueKind, type ZohoField } from './field-schema.js';

/** An export's CSV that does not hold what the job promised: the load stops rather than load it wrong (bad input: a retry reads the same file). */
export class ExportFormatError extends InputError {
  override name = 'ExportFormatError';
}

/** Longest CSV record accepted, in characters: a bound on memory for a hostile file. */
const MAX_RECORD_CHARS = 128 * 1024 * 1024;

/** Decodes UTF-8 across chunk boundaries, refusing invalid bytes instead of replacing them. */
async function* decodeUtf8(bytes: AsyncIterable<Buffer>, where: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let offset = 0;
  try {
    for await (const chunk of bytes) {
      const text = decoder.decode(chunk, { stream: true });
      offset += chunk.length;
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (error) {
    if (error instanceof TypeError) throw new ExportFormatError(`${where}: the CSV is not valid UTF-8 (near byte ${offset})`);
    throw error;
  }
}

/** The one CSV entry of a result zip ("a compressed file {job_id}.zip, which contains the result as a {job_id}.csv file"). */
async function csvEntry(zip: yauzl.ZipFile, where: string): Promise<Readable> {
  const entries: yauzl.Entry[] = [];
  for await (const entry of zip.eachEntry()) if (!entry.fileName.endsWith('/')) entries.push(entry);
  if (entries.length !== 1 || !/\.csv$/i.test(entries[0].fileName)) {
    throw new ExportFormatError(
      `${where}: the result zip must hold one CSV file, it holds ${entries.map((e) => JSON.stringify(e.fileName)).join(', ') || 'nothing'}`,
    );
  }
  return zip.openReadStreamPromise(entries[0]);
}

/** How to read one page's CSV. */
export interface ExportFile {
  /** The downloaded zip. */
  file: string;
  /** Words for errors: module, page and job. */
  where: string;
  /** The fields the job exported: every one must be a column, and nothing else but `id`. */
  fields: readonly ZohoField[];
  /** Records the job says it exported; the CSV must hold exactly these. */
  count: number;
  /** Separator of multi-select values. */
  separator: string;
}

/**
 * The records of one downloaded result: the zip's CSV streamed from the file (the zip's directory is at its end, so
 * the download is spooled to disk first; nothing is held whole in memory), decoded strictly as UTF-8 and parsed as
 * RFC 4180 (quoted fields with commas, quotes and newlines), each cell typed by its field.
 * @throws ExportFormatError naming the page, CSV line and column of anything that does not fit
 */
export async function* readExportFile(options: ExportFile): AsyncGenerator<JsonRecord> {
  const { where } = options;
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(options.file, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true });
  } catch (error) {
    throw new ExportFormatError(`${where}: the result is not a zip file`, { cause: error });
  }
  try {
    const entry = await csvEntry(zip, where);
    const parser = parse({ bom: true, info: true, max_record_size: MAX_RECORD_CHARS, relax_column_count: false });
    const source = Readable.from(decodeUtf8(entry, where));
    source.once('error', (error) => parser.destroy(error));
    source.pipe(parser);

    let columns: { name: string; kind: ValueKind }[] | undefined;
    let idColumn = -1;
    let records = 0;
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        ({ columns, idColumn } = headerColumns(record, options));
        continue;
      }
      const out: JsonRecord = {};
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i];
        if (i === idColumn) {
          if (!/^\d+$/.test(record[i]))
            throw new ExportFormatError(`${where}, CSV line ${info.lines}: the id ${JSON.stringify(record[i].slice(0, 40))} is not a record id`);
          out.id = record[i];
          continue;
        }
        try {
          out[column.name] = cellValue(record[i], column.kind, options.separator);
        } catch (error) {
          if (error instanceof CellError)
            throw new ExportFormatError(`${where}, CSV line ${info.lines}, column ${JSON.stringify(column.name)}: ${error.message}`);
          throw error;
        }
      }
      records++;
      yield out;
    }
    if (!columns) throw new ExportFormatError(`${where}: the CSV is empty (no header line)`);
    if (records !== options.count) throw new ExportFormatError(`${where}: the job says it exported ${options.count} records, the CSV holds ${records}`);
  } catch (error) {
    if (error instanceof ExportFormatError) throw error;
    // csv-parse's own errors (an unclosed quote, a wrong column count) already name the line: their words are the problem.
    throw new ExportFormatError(`${where}: ${(error as Error).message}`, { cause: error });
  } finally {
    zip.close();
  }
}

/** Maps the header to the fields: `id` (Zoho adds it, sometimes as `Id`) and exactly the exported fields. */
function headerColumns(header: string[], options: ExportFile): { columns: { name: string; kind: ValueKind }[]; idColumn: number } {
  const byName = new Map(options.fields.map((f) => [f.api_name, f]));
  const idColumn = header.findIndex((name) => name.toLowerCase() === 'id');
  if (idColumn === -1) throw new ExportFormatError(`${options.where}: the CSV has no id column`);
  const unknown = header.filter((name, i) => i !== idColumn && !byName.has(name));
  if (unknown.length > 0) throw new ExportFormatError(`${options.where}: the CSV has columns the fields metadata did not list: ${unknown.join(', ')}`);
  const missing = options.fields.filter((f) => !header.includes(f.api_name));
  if (missing.length > 0) throw new ExportFormatError(`${options.where}: the CSV lacks the exported fields ${missing.map((f) => f.api_name).join(', ')}`);
  const duplicate = header.find((name, i) => header.indexOf(name) !== i);
  if (duplicate) throw new ExportFormatError(`${options.where}: the CSV has the column ${duplicate} twice`);
  return {
    columns: header.map((name, i) => ({ name: i === idColumn ? 'id' : name, kind: i === idColumn ? 'string' : valueKind(byName.get(name)!) })),
    idColumn,
  };
}
