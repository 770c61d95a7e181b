import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { InputError, parseJsonLossless, type JsonRecord } from '@observes/protocol';

/**
 * Reads the records of one stream from a fixture: either a JSON-lines file of `{"stream": "...", "record": {...}}`
 * lines (all streams in one file), or a directory holding `<stream>.jsonl` files of raw records.
 * Blank lines are skipped; a bad line fails with its file and line number.
 */
export async function* readFixture(fixture: string, stream: string): AsyncGenerator<JsonRecord> {
  const directory = statSync(fixture, { throwIfNoEntry: false })?.isDirectory() ?? false;
  const file = directory ? path.join(fixture, `${stream}.jsonl`) : fixture;
  if (directory && !statSync(file, { throwIfNoEntry: false })) return;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = parseJsonLossless(line);
    } catch (error) {
      throw new InputError(`${file}: line ${number}: not JSON`, { cause: error });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file}: line ${number}: not a JSON object`);
    if (directory) {
      yield value as JsonRecord;
      continue;
    }
    const tagged = value as { stream?: unknown; record?: unknown };
    if (typeof tagged.stream !== 'string' || typeof tagged.record !== 'object' || tagged.record === null) {
      throw new Error(`${file}: line ${number}: expected {"stream": "...", "record": {...}}`);
    }
    if (tagged.stream === stream) yield tagged.record as JsonRecord;
  }
}
