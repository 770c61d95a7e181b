// Test-only helpers (not exported from the package index): fresh databases per dialect and running the CLI.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { createLogger } from '@observes/protocol';
import { createTestDatabase, type TestDatabase } from '@observes/testkit/postgres-harness';
import { applyRedshiftShim } from '@observes/testkit/redshift-shim';
import { TextSink } from '@observes/testkit/text-streams';
import { validateConfig } from '../config.js';
import { runTarget } from '../target.js';

/** The CLI shim. */
export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'target-redshift.js');

/**
 * The servers the target is tested against: PostgreSQL with the postgres dialect; the redshift dialect under the
 * Redshift shim with Redshift's `standard_conforming_strings = off`, and with PostgreSQL's `on` left in place.
 */
export type TestServer = 'postgres' | 'redshift' | 'redshift-scs-on';

/** Every {@link TestServer}, for tests that run once per server. */
export const TEST_SERVERS: readonly TestServer[] = ['postgres', 'redshift', 'redshift-scs-on'];

/** The dialect a test server is loaded with. */
export function dialectOf(server: TestServer): 'postgres' | 'redshift' {
  return server === 'postgres' ? 'postgres' : 'redshift';
}

/** A fresh database for a test server (with the Redshift shim for the redshift ones). */
export async function databaseFor(server: TestServer): Promise<TestDatabase> {
  const db = await createTestDatabase();
  if (server !== 'postgres') await applyRedshiftShim(db, { standardConformingStrings: server === 'redshift-scs-on' });
  return db;
}

/** What a CLI run produced. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `config` (written to a temp file) and `input` on stdin. */
export function runCli(config: Record<string, unknown>, input: string, env: Record<string, string> = {}): Promise<CliResult> {
  const dir = mkdtempSync(join(tmpdir(), 'target-redshift-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--config', file], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/**
 * What a target printed with the commit info of its STATEs (`"commit":{"sequence":…}`) taken out: the
 * values, for tests about something else (the commit records have their own tests).
 */
export function withoutCommits(stdout: string): string {
  return stdout.replace(/,"commit":\{[^{}]*\}/g, '');
}

/** Singer lines from message objects. */
export function lines(...messages: object[]): string {
  return messages.map((m) => JSON.stringify(m)).join('\n') + '\n';
}

/** What an in-process run produced: the error it failed with (undefined: success), stdout, and the log lines. */
export interface InProcessResult {
  error: Error | undefined;
  stdout: string;
  logs: Array<Record<string, unknown>>;
}

/**
 * Runs the target in this process (as the CLI does, without its process start-up): `config` is validated like
 * the CLI's file, `input` is fed as bytes in chunks of `chunkBytes`. For the many short runs of the regression
 * tests; the end-to-end tests run the CLI itself.
 */
export async function runInProcess(
  config: Record<string, unknown>,
  input: string | Buffer,
  options: { chunkBytes?: number; runId?: string } = {},
): Promise<InProcessResult> {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const size = options.chunkBytes ?? 64 * 1024;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const output = new TextSink();
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ name: 'target-redshift', json: true, write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  let error: Error | undefined;
  try {
    await runTarget({ config: validateConfig(config), input: Readable.from(chunks), output, log, runId: options.runId });
  } catch (e) {
    error = e as Error;
  }
  return { error, stdout: output.text(), logs };
}
