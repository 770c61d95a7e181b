/**
 * A tiny target for the runner's own tests: appends records to `out` (JSON lines) and echoes each
 * STATE once the records before it are written. ACTIVATE_VERSION appends an
 * `{"activated": version}` line. It can crash (`crash_after_states`), crash between a commit and its
 * echo (`crash_after_commits`) or hang until killed (`hang_after_states`), and it ignores nothing:
 * SIGTERM ends it at once without writing more.
 * With `commit_record`, it keeps a commit record (`<out>.commit.json`: the last committed state and
 * its sequence, written after the rows — a fixture, not atomic), adds the commit info to the STATEs
 * it echoes and answers `--commit-record`. With `replace_on_eof` it appends `{"replaced": true}` at
 * the end of input, only if its runner link says the input was complete.
 * Run as `node fixture-target.js --config <file> [--commit-record]`.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { connectRunnerLink, formatCommittedState, nextSequence, type CommittedState } from '@observes/protocol';
import { exitWithFailure, type FixtureFailure } from './fixture-failure.js';

interface FixtureTargetConfig {
  out: string;
  crash_after_states?: number;
  /** Crash after the first state unless this file exists; creates it (a crash on the first attempt only). */
  crash_once_marker?: string;
  /** Exit after this many commits, before echoing the last one's state. */
  crash_after_commits?: number;
  hang_after_states?: number;
  commit_record?: boolean;
  replace_on_eof?: boolean;
  /** Where to write this process's pid, for tests that check it ended. */
  pid_file?: string;
  /** Fail at start: log `message` (a JSON error entry, or plain text with `plain`) and exit with `exit_code`. */
  fail_at_start?: { exit_code: number; message: string; plain?: boolean };
  /** Fail at start with an error of the hierarchy (its kind, message and causes), logged as every Observes program does. */
  fail_with?: FixtureFailure;
  /** Log a final entry with `records_loaded` per stream, as target-redshift and target-s3 do. */
  report_loaded?: boolean;
}

const { values } = parseArgs({ options: { config: { type: 'string' }, 'commit-record': { type: 'boolean' } } });
const config = JSON.parse(readFileSync(values.config!, 'utf8')) as FixtureTargetConfig;
const commitFile = `${config.out}.commit.json`;
const lastCommit = (): CommittedState | undefined => (existsSync(commitFile) ? (JSON.parse(readFileSync(commitFile, 'utf8')) as CommittedState) : undefined);
if (values['commit-record']) {
  process.stdout.write(formatCommittedState(lastCommit(), true));
  process.exit(0);
}
if (config.fail_with) exitWithFailure('fixture-target', config.fail_with);
if (config.fail_at_start) {
  const { exit_code, message, plain } = config.fail_at_start;
  process.stderr.write(
    `${plain ? message : JSON.stringify({ level: 'info', message: 'starting' }) + '\n' + JSON.stringify({ level: 'error', name: 'fixture-target', message, exit_code })}\n`,
  );
  process.exit(exit_code);
}
const link = connectRunnerLink();
if (config.pid_file) writeFileSync(config.pid_file, String(process.pid));
const loaded: Record<string, number> = {};
let buffer: string[] = [];
let states = 0;
let commits = 0;
process.on('SIGTERM', () => {
  process.stderr.write('fixture target stopped by SIGTERM, discarding uncommitted records\n');
  process.exit(143);
});
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  const message = JSON.parse(line) as { type: string; record?: unknown; value?: unknown; version?: number };
  if (message.type === 'RECORD') {
    buffer.push(JSON.stringify(message.record));
    const stream = (message as { stream?: string }).stream ?? '';
    loaded[stream] = (loaded[stream] ?? 0) + 1;
  }
  if (message.type === 'ACTIVATE_VERSION') buffer.push(JSON.stringify({ activated: message.version }));
  if (message.type === 'STATE') {
    if (buffer.length) appendFileSync(config.out, buffer.join('\n') + '\n');
    if (config.report_loaded) process.stderr.write(JSON.stringify({ level: 'info', message: 'done', records_loaded: loaded }) + '\n');
    buffer = [];
    let commit: Omit<CommittedState, 'value'> | undefined;
    if (config.commit_record) {
      commit = { sequence: nextSequence(lastCommit()?.sequence), run_id: process.env.OBSERVES_RUN_ID };
      writeFileSync(commitFile, JSON.stringify({ ...commit, value: message.value }));
      if (++commits === config.crash_after_commits) {
        process.stderr.write('fixture target crashing between a commit and its echo\n');
        process.exit(9);
      }
    }
    process.stdout.write(JSON.stringify({ type: 'STATE', value: message.value, ...(commit ? { commit } : {}) }) + '\n');
    states++;
    if (config.crash_once_marker && !existsSync(config.crash_once_marker)) {
      writeFileSync(config.crash_once_marker, '');
      process.stderr.write('fixture target crashing once on purpose\n');
      process.exit(9);
    }
    if (states === config.crash_after_states) {
      process.stderr.write('fixture target crashing on purpose\n');
      process.exit(9);
    }
    // A timer keeps the process alive: a paused stdin alone would let it exit.
    if (states === config.hang_after_states) await new Promise(() => setInterval(() => undefined, 1000));
  }
}
if (await link.inputComplete()) {
  if (config.replace_on_eof) buffer.push(JSON.stringify({ replaced: true }));
  if (buffer.length) appendFileSync(config.out, buffer.join('\n') + '\n');
  if (config.report_loaded) process.stderr.write(JSON.stringify({ level: 'info', message: 'done', records_loaded: loaded }) + '\n');
}
