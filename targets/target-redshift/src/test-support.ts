// Test-only helpers (not exported from the package index): fresh databases per dialect and running the CLI.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@observes/testkit/postgres-harness';
import { applyRedshiftShim } from '@observes/testkit/redshift-shim';

/** The CLI shim. */
export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'target-redshift.js');

/** A fresh database for a dialect (with the Redshift shim for `redshift`). */
export async function databaseFor(dialect: 'postgres' | 'redshift'): Promise<TestDatabase> {
  const db = await createTestDatabase();
  if (dialect === 'redshift') await applyRedshiftShim(db);
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

/** Singer lines from message objects. */
export function lines(...messages: object[]): string {
  return messages.map((m) => JSON.stringify(m)).join('\n') + '\n';
}
