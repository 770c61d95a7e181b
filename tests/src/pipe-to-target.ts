import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Options of {@link pipeTapToTarget}. */
export interface PipeOptions {
  /** Path of the tap's executable (its `bin/<tap>.js`), run with node. */
  tapBin: string;
  /** Path of the target's executable (its `bin/<target>.js`), run with node. */
  targetBin: string;
  /** The tap's config, written to a file given as `--config`. */
  tapConfig: object;
  /** The target's config, written to a file given as `--config`. */
  targetConfig: object;
  /** State of a previous run, given to the tap as `--state`; default none. */
  state?: unknown;
  /** Environment variables added for the tap (not the target); default none. */
  tapEnv?: Record<string, string>;
}

/** What `tap --config c.json [--state s.json] | target --config t.json` did. */
export interface PipeResult {
  tapCode: number | null;
  targetCode: number | null;
  tapStderr: string;
  targetStderr: string;
  /** The last state the target echoed: the input of the next run. */
  state: unknown;
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

/** Runs a tap and a target as a shell pipe would (for end-to-end tests), with the state of a previous run when given. */
export async function pipeTapToTarget(options: PipeOptions): Promise<PipeResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pipe-to-target-'));
  try {
    const file = async (name: string, content: unknown) => {
      await writeFile(path.join(dir, name), JSON.stringify(content));
      return path.join(dir, name);
    };
    const tapArgs = [options.tapBin, '--config', await file('tap.json', options.tapConfig)];
    if (options.state !== undefined) tapArgs.push('--state', await file('state.json', options.state));
    const targetArgs = [options.targetBin, '--config', await file('target.json', options.targetConfig)];
    const tap = spawn(process.execPath, tapArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.tapEnv } });
    const target = spawn(process.execPath, targetArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
    tap.stdout.pipe(target.stdin);
    let tapStderr = '';
    let targetStderr = '';
    let targetStdout = '';
    tap.stderr.on('data', (d: Buffer) => (tapStderr += d.toString()));
    target.stderr.on('data', (d: Buffer) => (targetStderr += d.toString()));
    target.stdout.on('data', (d: Buffer) => (targetStdout += d.toString()));
    const [tapCode, targetCode] = await Promise.all([exitCode(tap), exitCode(target)]);
    const lastLine = targetStdout.trim().split('\n').filter(Boolean).at(-1);
    return { tapCode, targetCode, tapStderr, targetStderr, state: lastLine === undefined ? undefined : JSON.parse(lastLine) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
