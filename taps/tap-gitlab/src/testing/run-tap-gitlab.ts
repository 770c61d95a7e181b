import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTapCaptured, summarizeMessages, type CapturedRun } from '@observes/tap-sdk/testing';
import type { JsonRecord } from '@observes/protocol';
import { tap } from '../tap.js';
import type { FakeGitlabApi } from './fake-gitlab-api.js';

/** A tap run against the fake, with what tests look at. */
export interface GitlabRun extends CapturedRun {
  /** Records by stream. */
  records: Map<string, JsonRecord[]>;
  /** The last STATE value, to feed the next run. */
  state: unknown;
  /** Delays the HTTP client asked to sleep (retries), in ms. */
  sleeps: number[];
}

/** Writes a config for the fake (small pages, no client-side rate limit) with `overrides`, and returns its path. */
export function writeConfig(api: FakeGitlabApi, overrides: Record<string, unknown>): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tap-gitlab-')), 'config.json');
  writeFileSync(file, JSON.stringify({ api_url: api.apiUrl, token: api.token, per_page: 5, requests_per_second: 1000, ...overrides }));
  return file;
}

/** A fake clock for the HTTP client: sleeping advances it, and a fake server's behaviours can read it. */
export interface FakeClock {
  now: number;
}

/**
 * Runs tap-gitlab in-process: `args` (default: a sync) with `--config` for the fake and, when given, `--state`.
 * Retries are recorded instead of slept (on `clock`, when given, they advance it); `env` may freeze the run's
 * clock (`OBSERVES_FROZEN_TIME`).
 */
export async function runGitlab(
  api: FakeGitlabApi,
  config: Record<string, unknown>,
  state?: unknown,
  options: { args?: string[]; env?: Record<string, string>; clock?: FakeClock } = {},
): Promise<GitlabRun> {
  const configPath = writeConfig(api, config);
  const args = [...(options.args ?? []), '--config', configPath];
  if (state !== undefined) {
    const statePath = path.join(path.dirname(configPath), 'state.json');
    writeFileSync(statePath, JSON.stringify(state));
    args.push('--state', statePath);
  }
  const sleeps: number[] = [];
  const clock = options.clock;
  const http = clock
    ? { now: () => clock.now, sleep: async (ms: number) => void (sleeps.push(ms), (clock.now += ms)) }
    : { sleep: async (ms: number) => void sleeps.push(ms) };
  const run = await runTapCaptured(tap, args, { env: options.env ?? {}, http });
  return { ...run, ...summarizeMessages(run.messages), sleeps };
}
