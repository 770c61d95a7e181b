import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { applySelection, type Catalog } from '@observes/catalogs';
import { MessageWriter, readMessages, StreamChecker, type JsonRecord, type Message } from '@observes/protocol';
import { runNode, type ProcessResult } from '@observes/testkit/run-process';
import { loadZohoConfig } from '../config.js';
import { runLoad, type LoadOutcome } from '../load-phase.js';
import { runPrepare, type PrepareOutcome } from '../prepare-phase.js';
import { createSession } from '../zoho-session.js';
import { FakeZoho, type FakeZohoOptions } from './fake-zoho.js';

/** The tap's executable. */
export const tapBin = fileURLToPath(new URL('../../bin/tap-zoho-crm.js', import.meta.url));

/** A fake Zoho quick enough for tests: short job steps, no download throttling, room for many token refreshes. */
export function startFakeZoho(options: FakeZohoOptions = {}): Promise<FakeZoho> {
  return FakeZoho.start({ jobStepMs: 15, downloadsPerMinute: 10_000, tokensPerTenMinutes: 1000, ...options });
}

/** A tap config for the fake with short waits (the defaults are production's: 30 s polls, 10 downloads a minute). */
export function fastConfig(fake: FakeZoho, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return fake.config({
    poll_interval_seconds: 0.02,
    max_poll_interval_seconds: 0.1,
    requests_per_second: 10_000,
    download_requests_per_minute: 10_000,
    ...overrides,
  });
}

/** A run of the tap, with its Singer output parsed (and checked: schemas, keys, records against schemas). */
export interface ZohoRun extends ProcessResult {
  messages: Message[];
  /** Records by stream. */
  records: Map<string, JsonRecord[]>;
  /** The last STATE's value. */
  state: unknown;
}

/** Runs `tap-zoho-crm <args> --config <config> [--state <state>]` as a process. */
export async function runZoho(args: string[], config: Record<string, unknown>, state?: unknown, env: Record<string, string> = {}): Promise<ZohoRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tap-zoho-crm-test-'));
  const file = (name: string, value: unknown) => {
    writeFileSync(path.join(dir, name), JSON.stringify(value));
    return path.join(dir, name);
  };
  const argv = [tapBin, ...args, '--config', file('config.json', config), ...(state === undefined ? [] : ['--state', file('state.json', state)])];
  const run = await runNode(argv, { env: { OBSERVES_LOG_LEVEL: 'info', ...env } });
  return { ...run, ...(await parseOutput(run.stdout)) };
}

/** Parses and checks a Singer output: messages, records by stream, the last state. */
async function parseOutput(stdout: string): Promise<Pick<ZohoRun, 'messages' | 'records' | 'state'>> {
  const checker = new StreamChecker({ validateRecords: true });
  const messages: Message[] = [];
  for await (const read of readMessages(Readable.from([Buffer.from(stdout)]))) {
    checker.check(read);
    messages.push(read.message);
  }
  const records = new Map<string, JsonRecord[]>();
  let state: unknown;
  for (const message of messages) {
    if (message.type === 'RECORD') records.set(message.stream, [...(records.get(message.stream) ?? []), message.record]);
    if (message.type === 'STATE') state = message.value;
  }
  return { messages, records, state };
}

/** What an in-process phase did: its messages, its log lines, and its error if it failed. */
export interface PhaseRun {
  messages: Message[];
  records: Map<string, JsonRecord[]>;
  state: unknown;
  /** Log and METRIC lines, joined. */
  logs: string;
  error?: Error;
  outcome?: PrepareOutcome | LoadOutcome;
}

/**
 * Runs a phase in this process (quicker than a process per run; the CLI around it is tested through the bin): the
 * config validated as the CLI does, messages written to memory and checked.
 */
export async function runPhase(phase: 'prepare' | 'load', config: Record<string, unknown>, state?: unknown, catalog?: Catalog): Promise<PhaseRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tap-zoho-crm-test-'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const lines: string[] = [];
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const run: PhaseRun = { messages: [], records: new Map(), state: undefined, logs: '' };
  try {
    const session = createSession(loadZohoConfig(path.join(dir, 'config.json'), {}), { write: (line) => void lines.push(line) });
    const selection = catalog ? applySelection(catalog) : undefined;
    if (phase === 'prepare') {
      run.outcome = await runPrepare(session, state, selection);
      const writer = new MessageWriter(out);
      await writer.write({ type: 'STATE', value: run.outcome.state });
      await writer.end();
    } else {
      run.outcome = await runLoad(session, { state, selection, out, version: '0.0.0' });
    }
  } catch (error) {
    run.error = error as Error;
  }
  run.logs = lines.join('');
  const parsed = await parseOutput(Buffer.concat(chunks).toString('utf8'));
  return { ...run, ...parsed };
}
