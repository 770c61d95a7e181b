import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTapCaptured, summarizeMessages, type CapturedRun, type MessageSummary } from '@observes/tap-sdk/testing';
import { tapForArgs } from '../tap-for-args.js';
import type { FakeTimedoctorApi } from './fake-timedoctor-api.js';

/** A tap run against the fake, with what tests look at. */
export interface TimedoctorRun extends CapturedRun, MessageSummary {
  /** Delays the HTTP client asked to sleep (retries), in ms. */
  sleeps: number[];
}

/** The config of a run against the fake (small pages, no client-side rate limit), with `overrides`. */
export function fakeConfig(api: FakeTimedoctorApi, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { api_url: api.apiUrl, email: api.email, password: api.password, page_size: 25, requests_per_second: 1000, ...overrides };
}

/**
 * Runs tap-timedoctor in-process as its CLI would (the definition picked by the config): `args` (default: a sync)
 * with `--config` for the fake and, when given, `--state`. Retries are recorded instead of slept.
 */
export async function runTimedoctor(
  api: FakeTimedoctorApi,
  config: Record<string, unknown>,
  state?: unknown,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<TimedoctorRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tap-timedoctor-'));
  const configPath = path.join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(fakeConfig(api, config)));
  const args = [...(options.args ?? []), '--config', configPath];
  if (state !== undefined) {
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state));
    args.push('--state', path.join(dir, 'state.json'));
  }
  const env = options.env ?? {};
  const sleeps: number[] = [];
  const run = await runTapCaptured(tapForArgs(args, env), args, { env, http: { sleep: async (ms) => void sleeps.push(ms) } });
  return { ...run, ...summarizeMessages(run.messages), sleeps };
}
