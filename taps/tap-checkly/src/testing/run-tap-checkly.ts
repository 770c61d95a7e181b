import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTapCaptured, summarizeMessages, type CapturedRun } from '@observes/tap-sdk/testing';
import type { JsonRecord } from '@observes/protocol';
import { tap } from '../tap.js';
import type { FakeChecklyApi } from './fake-checkly-api.js';

/** The instant test runs take as now (`OBSERVES_FROZEN_TIME`). */
export const NOW = '2024-06-01T12:00:00.000Z';

/** A tap run against the fake, with what tests look at. */
export interface ChecklyRun extends CapturedRun {
  /** Records by stream. */
  records: Map<string, JsonRecord[]>;
  /** The last STATE value, to feed the next run. */
  state: unknown;
  /** Delays the HTTP client asked to sleep (retries), in ms. */
  sleeps: number[];
}

/** A config for the fake: small pages, no client-side rate limits, no settle delay, starting 12 hours before {@link NOW}. */
export function checklyConfig(api: FakeChecklyApi, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    api_url: api.apiUrl,
    api_key: 'cu_fake_key',
    account_id: 'acc-fake',
    start_date: '2024-06-01T00:00:00.000Z',
    page_size: 5,
    requests_per_second: 1000,
    check_results_requests_per_second: 1000,
    settle_seconds: 0,
    ...overrides,
  };
}

/**
 * Runs tap-checkly in-process at `now` (default {@link NOW}), from `state` when given; retries are recorded instead
 * of slept (on `clock`, when given, sleeping advances it: a fake server's behaviours can read the same clock).
 */
export async function runCheckly(
  api: FakeChecklyApi,
  overrides: Record<string, unknown> = {},
  state?: unknown,
  now = NOW,
  clock?: { now: number },
): Promise<ChecklyRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tap-checkly-'));
  const args = ['--config', path.join(dir, 'config.json')];
  writeFileSync(args[1], JSON.stringify(checklyConfig(api, overrides)));
  if (state !== undefined) {
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state));
    args.push('--state', path.join(dir, 'state.json'));
  }
  const sleeps: number[] = [];
  const http = clock
    ? { now: () => clock.now, sleep: async (ms: number) => void (sleeps.push(ms), (clock.now += ms)) }
    : { sleep: async (ms: number) => void sleeps.push(ms) };
  const run = await runTapCaptured(tap, args, { env: { OBSERVES_FROZEN_TIME: now }, http });
  return { ...run, ...summarizeMessages(run.messages), sleeps };
}
