import { Writable } from 'node:stream';
import { parseMessage, StreamChecker, type JsonRecord, type Message } from '@observes/protocol';
import { runTap, type RunTapOptions } from '../run-tap.js';
import type { TapDefinition } from '../tap-definition.js';

/** What {@link runTapCaptured} saw. */
export interface CapturedRun {
  /** Exit code runTap returned. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr (logs and METRIC lines). */
  stderr: string;
  /** stdout parsed as Singer messages (empty when stdout is not Singer, e.g. `--about`). */
  messages: Message[];
}

/**
 * Runs a tap in-process with stdout and stderr captured: for tests and golden outputs.
 * @param args - command-line arguments after the program name, e.g. `['--config', 'c.json']`
 */
export async function runTapCaptured(tap: TapDefinition, args: string[], options: Omit<RunTapOptions, 'stdout' | 'stderr'> = {}): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stdout += chunk.toString('utf8');
      done();
    },
  });
  const code = await runTap(tap, ['node', `tap-${tap.name}`, ...args], { ...options, stdout: out, stderr: (text) => void (stderr += text) });
  let messages: Message[] = [];
  try {
    messages = stdout
      .split('\n')
      .filter(Boolean)
      .map((line, i) => parseMessage(line, i + 1));
  } catch {
    messages = [];
  }
  return { code, stdout, stderr, messages };
}

/** What a test usually reads from a captured run: {@link summarizeMessages}. */
export interface MessageSummary {
  /** Records by stream, in output order. */
  records: Map<string, JsonRecord[]>;
  /** The last STATE value (what the next run resumes from). */
  state: unknown;
}

/**
 * Records by stream and the last STATE of a run's messages, checking on the way that they form a valid Singer stream
 * (SCHEMA before RECORD, key properties present, each record valid against its schema); throws naming the message.
 */
export function summarizeMessages(messages: Message[]): MessageSummary {
  const checker = new StreamChecker({ validateRecords: true });
  const records = new Map<string, JsonRecord[]>();
  let state: unknown;
  messages.forEach((message, index) => {
    checker.check({ line: index + 1, message, size: 0 });
    if (message.type === 'RECORD') {
      const list = records.get(message.stream) ?? [];
      list.push(message.record);
      records.set(message.stream, list);
    }
    if (message.type === 'STATE') state = message.value;
  });
  return { records, state };
}
