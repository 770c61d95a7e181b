import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { redact } from '@observes/protocol';
import { redactHeaders, redactUrl } from './redact-url.js';
import type { Transport, TransportRequest, TransportResponse } from './http-transport.js';

/** One saved exchange: the request (credentials scrubbed) and the full response. */
export interface RecordedExchange {
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response: TransportResponse;
}

/** Matches a replayed request to a recording: method, scrubbed URL and body (tokens differ between runs). */
function exchangeKey(request: TransportRequest): string {
  const key = `${request.method} ${redactUrl(request.url)}\n${request.body === undefined ? '' : redact(request.body)}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Numbers repeated identical requests (polling, retries after a 429) so they replay in the recorded order. */
class Occurrences {
  private readonly seen = new Map<string, number>();
  next(key: string): string {
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    return `${key}-${n}.json`;
  }
}

/**
 * Wraps `inner` to save every exchange as `<dir>/<hash>-<n>.json`, with auth headers, cookies, secret query
 * parameters and registered secret values scrubbed from requests and responses.
 */
export function recordingTransport(dir: string, inner: Transport): Transport {
  mkdirSync(dir, { recursive: true });
  const occurrences = new Occurrences();
  return async (request) => {
    const file = occurrences.next(exchangeKey(request));
    const response = await inner(request);
    const exchange: RecordedExchange = {
      request: {
        method: request.method,
        url: redactUrl(request.url),
        headers: redactHeaders(request.headers),
        ...(request.body === undefined ? {} : { body: redact(request.body) }),
      },
      response: { ...response, headers: redactHeaders(response.headers), text: redact(response.text) },
    };
    writeFileSync(path.join(dir, file), JSON.stringify(exchange, null, 2) + '\n');
    return response;
  };
}

/** Answers requests from the recordings in `dir`, offline; a request that was not recorded fails clearly. */
export function replayTransport(dir: string): Transport {
  if (!existsSync(dir)) throw new Error(`replay directory ${dir} does not exist`);
  const occurrences = new Occurrences();
  return async (request) => {
    const file = path.join(dir, occurrences.next(exchangeKey(request)));
    if (!existsSync(file)) throw new ReplayMissError(`no recorded exchange for ${request.method} ${redactUrl(request.url)} in ${dir} (${path.basename(file)})`);
    return (JSON.parse(readFileSync(file, 'utf8')) as RecordedExchange).response;
  };
}

/** A replayed run asked for something the recording does not have: not retriable. */
export class ReplayMissError extends Error {
  override name = 'ReplayMissError';
}
