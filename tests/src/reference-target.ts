/**
 * A reference target storing each stream as a JSON file (`<dir>/<stream>.json`, an array of rows): merges by
 * key, honours ACTIVATE_VERSION, does not flatten, commits at each STATE before echoing it. It exists so
 * {@link targetSuite} itself is tested against a target known to be right.
 * Usage: `node reference-target.js --config <file with {"dir": "..."}>`.
 * @module
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMessage, readMessages, serializeJson, StreamChecker } from '@observes/protocol';
import { readStoredRows, type StoredRow } from './reference-target-store.js';

async function main(): Promise<void> {
  const configIndex = process.argv.indexOf('--config');
  const { dir } = JSON.parse(readFileSync(process.argv[configIndex + 1], 'utf8')) as { dir: string };
  const checker = new StreamChecker();
  const tables = new Map<string, StoredRow[]>();
  const dirty = new Set<string>();
  const rowsOf = (stream: string) => tables.get(stream) ?? readStoredRows(dir, stream);
  const commit = () => {
    for (const stream of dirty) {
      writeFileSync(join(dir, `${stream}.json.tmp`), serializeJson(tables.get(stream)));
      renameSync(join(dir, `${stream}.json.tmp`), join(dir, `${stream}.json`));
    }
    dirty.clear();
  };
  for await (const read of readMessages(process.stdin)) {
    const schema = checker.check(read);
    const { message } = read;
    if (message.type === 'RECORD') {
      const key = schema!.keyProperties.length ? serializeJson(schema!.keyProperties.map((k) => message.record[k])) : undefined;
      const rows = rowsOf(message.stream).filter((row) => key === undefined || row.key !== key);
      rows.push({ key, version: message.version, record: message.record });
      tables.set(message.stream, rows);
      dirty.add(message.stream);
    } else if (message.type === 'ACTIVATE_VERSION') {
      tables.set(
        message.stream,
        rowsOf(message.stream).filter((row) => row.version === undefined || row.version >= message.version),
      );
      dirty.add(message.stream);
    } else if (message.type === 'STATE') {
      commit();
      process.stdout.write(formatMessage(message));
    }
  }
  commit();
}

main().catch((error: unknown) => {
  process.stderr.write(`reference-target: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
