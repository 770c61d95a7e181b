import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from '@observes/testkit';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const TAP_BIN = path.join(REPO, 'taps/tap-checkly/bin/tap-checkly.js');
const TARGET_BIN = path.join(REPO, 'targets/target-redshift/bin/target-redshift.js');

/**
 * PostgreSQL lacks Redshift's SUPER and JSON_PARSE and reads backslashes in literals literally: the same shim as
 * target-redshift's own tests, so its redshift dialect runs unchanged against the test database.
 */
export async function applyRedshiftShim(db: TestDatabase): Promise<void> {
  await db.query('CREATE DOMAIN super AS jsonb');
  await db.query("CREATE FUNCTION json_parse(text) RETURNS jsonb AS 'SELECT $1::jsonb' LANGUAGE sql IMMUTABLE");
  await db.query(`ALTER DATABASE "${db.name}" SET standard_conforming_strings = off`);
  await db.query(`ALTER DATABASE "${db.name}" SET escape_string_warning = off`);
}

/** What `tap-checkly --config c.json [--state s.json] | target-redshift --config t.json` did. */
export interface PipeResult {
  tapCode: number | null;
  targetCode: number | null;
  tapStderr: string;
  targetStderr: string;
  /** The last state the target echoed: the input of the next run. */
  state: unknown;
}

/** Runs the two executables as a shell pipe would, with the state of a previous run when given; `env` goes to the tap. */
export async function pipeTapToTarget(tapConfig: object, targetConfig: object, state?: unknown, env: Record<string, string> = {}): Promise<PipeResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tap-checkly-e2e-'));
  const file = (name: string, content: unknown) => {
    writeFileSync(path.join(dir, name), JSON.stringify(content));
    return path.join(dir, name);
  };
  const tapArgs = [TAP_BIN, '--config', file('tap.json', tapConfig), ...(state === undefined ? [] : ['--state', file('state.json', state)])];
  const tap = spawn(process.execPath, tapArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const target = spawn(process.execPath, [TARGET_BIN, '--config', file('target.json', targetConfig)], { stdio: ['pipe', 'pipe', 'pipe'] });
  tap.stdout.pipe(target.stdin);
  let tapStderr = '';
  let targetStderr = '';
  let targetStdout = '';
  tap.stderr.on('data', (d: Buffer) => (tapStderr += d.toString()));
  target.stderr.on('data', (d: Buffer) => (targetStderr += d.toString()));
  target.stdout.on('data', (d: Buffer) => (targetStdout += d.toString()));
  const exit = (child: ReturnType<typeof spawn>) => new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const [tapCode, targetCode] = await Promise.all([exit(tap), exit(target)]);
  const lastLine = targetStdout.trim().split('\n').filter(Boolean).at(-1);
  return { tapCode, targetCode, tapStderr, targetStderr, state: lastLine === undefined ? undefined : JSON.parse(lastLine) };
}
