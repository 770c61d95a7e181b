import { redact } from '@observes/protocol';

/**
 * Query parameters whose values are credentials: `key`, `sig`, or names ending in a credential word
 * (`private_token`, `client_secret`, `apiKey`...). Matched on the end of the name so `author_id` or `sort_key` stay readable
 * (and recordings of different authors do not collide).
 */
const SECRET_PARAM = /^(key|sig|code)$|(token|secret|password|passwd|api[_-]?key|signature|auth|credentials?|session(id)?)$/i;

/** A URL safe to log or record: secret-looking query values become `***` and registered secrets are redacted. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redact(url);
  }
  if (parsed.username || parsed.password) {
    parsed.username = parsed.username ? '***' : '';
    parsed.password = parsed.password ? '***' : '';
  }
  for (const name of [...parsed.searchParams.keys()]) if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, '***');
  // URLSearchParams escapes `*`; keep the marker readable.
  return redact(parsed.toString().replace(/%2A%2A%2A/g, '***'));
}

/** Header names that carry credentials: never logged or recorded. */
export const SECRET_HEADER = /authorization|cookie|token|secret|api[_-]?key|x-checkly-account|password|session/i;

/** A copy of `headers` with credential headers replaced by `***` and registered secrets redacted. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = SECRET_HEADER.test(name) ? '***' : redact(value);
  return out;
}
