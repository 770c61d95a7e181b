/**
 * A tiny tap for the runner's own tests: emits `count` records of stream `stream` after the id
 * bookmarked in `--state`, a STATE every `state_every` records, and can crash after `fail_after`
 * records. With `full_table` it sends a versioned full refresh ending in ACTIVATE_VERSION.
 * Run as `node fixture-tap.js --config <file> [--state <file>] [--catalog <file>] [--discover]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface FixtureTapConfig {
  stream?: string;
  count: number;
  state_every?: number;
  fail_after?: number;
  full_table?: boolean;
  /** Full-table version (default 1 700 000 000 000); 0 sends no version and no ACTIVATE_VERSION (a target replacing at end of input). */
  version?: number;
  /** Write out and pause `pause_ms` every this many records, so that a run lasts a while. */
  pause_every?: number;
  pause_ms?: number;
  /** Where to write the argv and catalog received, for tests to check. */
  echo_args_to?: string;
  /** Where to write this process's pid, for tests that check it ended. */
  pid_file?: string;
  /** Send the stream without key properties (a target appends it). */
  keyless?: boolean;
  /** A secret the tap carelessly logs on stderr in every usual form (plain, JSON field, URL, header), for the runner's masking tests. */
  leak_token?: string;
  /** Where to write the working directory it runs in. */
  echo_cwd_to?: string;
  /**
   * Fail at start (after `--discover`): write `entry` as one JSON line on stderr (the error entry `logFailure` of
   * `@observes/protocol` writes: level, message, kind, retryable, causes) and exit with `exit_code`. By hand, since
   * this file must run copied alone into another folder (no imports but Node's).
   */
  fail_with_entry?: { exit_code: number; entry: Record<string, unknown> };
}

const { values } = parseArgs({
  options: { config: { type: 'string' }, state: { type: 'string' }, catalog: { type: 'string' }, discover: { type: 'boolean' } },
});
const config = JSON.parse(readFileSync(values.config!, 'utf8')) as FixtureTapConfig;
const stream = config.stream ?? 'items';
const schema = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } };
if (values.discover) {
  process.stdout.write(JSON.stringify({ streams: [stream, 'other'].map((s) => ({ tap_stream_id: s, stream: s, schema, metadata: [] })) }) + '\n');
  process.exit(0);
}
if (config.fail_with_entry) {
  process.stderr.write(JSON.stringify({ level: 'error', name: 'fixture-tap', ...config.fail_with_entry.entry }) + '\n');
  process.exit(config.fail_with_entry.exit_code);
}
if (config.pid_file) writeFileSync(config.pid_file, String(process.pid));
if (config.echo_args_to) {
  writeFileSync(
    config.echo_args_to,
    JSON.stringify({
      argv: process.argv.slice(2),
      catalog: values.catalog ? JSON.parse(readFileSync(values.catalog, 'utf8')) : null,
      env: process.env.OBSERVES_PIPELINE,
    }),
  );
}
if (config.leak_token) {
  const t = config.leak_token;
  process.stderr.write(
    [
      `the token is ${t}`,
      JSON.stringify({ level: 'info', message: `calling with ${t}`, token: t, nested: { authorization: `Bearer ${t}` } }),
      `GET https://oauth2:${encodeURIComponent(t)}@gitlab.example/api/v4/projects?private_token=${encodeURIComponent(t)}`,
      `Authorization: Bearer ${t}`,
      `env TAP_TOKEN=${process.env.TAP_TOKEN ?? ''}`,
    ].join('\n') + '\n',
  );
}
if (config.echo_cwd_to) writeFileSync(config.echo_cwd_to, process.cwd());
const state = values.state ? (JSON.parse(readFileSync(values.state, 'utf8')) as { bookmarks?: Record<string, { id: number }> }) : {};
const after = config.full_table ? 0 : (state.bookmarks?.[stream]?.id ?? 0);
const version = config.full_table && config.version !== 0 ? (config.version ?? 1_700_000_000_000) : undefined;
const out: string[] = [JSON.stringify({ type: 'SCHEMA', stream, schema, key_properties: config.keyless ? [] : ['id'] })];
process.stderr.write(`starting after id ${after}\n`);
for (let id = after + 1; id <= config.count; id++) {
  if (config.fail_after !== undefined && id - after > config.fail_after) {
    process.stdout.write(out.length ? out.join('\n') + '\n' : '', () => {
      process.stderr.write('fixture tap crashing on purpose\n');
      process.exit(3);
    });
    await new Promise(() => undefined);
  }
  out.push(JSON.stringify({ type: 'RECORD', stream, record: { id, name: `item ${id}` }, ...(version ? { version } : {}) }));
  if (config.pause_every && (id - after) % config.pause_every === 0) {
    await new Promise<void>((resolve) => process.stdout.write(out.splice(0).join('\n') + '\n', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, config.pause_ms ?? 50));
  }
  if (id % (config.state_every ?? 10) === 0 && !config.full_table) out.push(JSON.stringify({ type: 'STATE', value: { bookmarks: { [stream]: { id } } } }));
}
if (version) out.push(JSON.stringify({ type: 'ACTIVATE_VERSION', stream, version }));
out.push(JSON.stringify({ type: 'STATE', value: { bookmarks: { [stream]: { id: Math.max(after, config.count) } } } }));
process.stdout.write(out.join('\n') + '\n');
