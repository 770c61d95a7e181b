import { parse as parseLossless } from 'lossless-json';
import { parseNumberToken } from './exact-number.js';
import type { Message } from './messages.js';
import { ProtocolError } from './protocol-error.js';

/**
 * Number tokens a double may not hold exactly: 16+ digits (ignoring a decimal point) or a 3-digit exponent.
 * Only text right after `:`, `,`, `[` or the start (where a JSON number token can begin) is looked at, so
 * long digit or hex runs inside strings (commit ids, UUIDs, phone numbers) do not cost the slow path: the
 * lossless parser is about 7 times slower than `JSON.parse`. A false match only costs speed.
 */
const MAYBE_UNSAFE_NUMBER = /(?:^|[:,[])\s*-?(?:\d[\d.]{15}|[\d.]*\d[eE][+-]?\d{3})/;

/**
 * Parses JSON text, keeping numbers a double cannot hold as {@link ExactNumber}.
 * Lines without long digit runs take plain `JSON.parse`, so the common case costs one regex test.
 */
export function parseJsonLossless(text: string): unknown {
  if (!MAYBE_UNSAFE_NUMBER.test(text)) return JSON.parse(text);
  return parseLossless(text, null, parseNumberToken);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Parses and checks the envelope of one Singer line (not the record against its schema).
 * @param text - the line without its terminator
 * @param line - 1-based line number, for errors
 * @throws ProtocolError on malformed JSON, an unknown type or a missing or mistyped field
 */
export function parseMessage(text: string, line: number): Message {
  let value: unknown;
  try {
    value = parseJsonLossless(text);
  } catch (error) {
    throw new ProtocolError(line, undefined, 'malformed-json', `malformed JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw new ProtocolError(line, undefined, 'not-an-object', `expected a JSON object, got ${describe(value)}`);
  const type = value.type;
  const stream = typeof value.stream === 'string' ? value.stream : undefined;
  const fail = (code: 'missing-field' | 'invalid-field', problem: string): never => {
    throw new ProtocolError(line, stream, code, problem);
  };
  const requireStream = () => {
    if (value.stream === undefined) fail('missing-field', `${String(type)} message is missing "stream"`);
    if (typeof value.stream !== 'string' || value.stream === '') fail('invalid-field', `"stream" must be a non-empty string, got ${describe(value.stream)}`);
  };
  switch (type) {
    case 'RECORD':
      requireStream();
      if (value.record === undefined) fail('missing-field', 'RECORD message is missing "record"');
      if (!isObject(value.record)) fail('invalid-field', `"record" must be an object, got ${describe(value.record)}`);
      if (value.version !== undefined && typeof value.version !== 'number') fail('invalid-field', `"version" must be a number, got ${describe(value.version)}`);
      if (value.time_extracted !== undefined && typeof value.time_extracted !== 'string') fail('invalid-field', `"time_extracted" must be a string`);
      return value as unknown as Message;
    case 'SCHEMA': {
      requireStream();
      if (value.schema === undefined) fail('missing-field', 'SCHEMA message is missing "schema"');
      if (!isObject(value.schema)) fail('invalid-field', `"schema" must be an object, got ${describe(value.schema)}`);
      // The Singer spec requires key_properties, but peers (the Meltano SDK, its own test streams) omit it for
      // key-less streams: absent reads as [] (append), like theirs. null or a non-list stays an error.
      if (value.key_properties === undefined) value.key_properties = [];
      const keys = value.key_properties;
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) fail('invalid-field', '"key_properties" must be an array of strings');
      const bookmarks = value.bookmark_properties;
      if (bookmarks !== undefined && bookmarks !== null && (!Array.isArray(bookmarks) || !bookmarks.every((k) => typeof k === 'string'))) {
        fail('invalid-field', '"bookmark_properties" must be an array of strings');
      }
      return value as unknown as Message;
    }
    case 'STATE':
      if (!('value' in value)) fail('missing-field', 'STATE message is missing "value"');
      return value as unknown as Message;
    case 'ACTIVATE_VERSION':
      requireStream();
      if (value.version === undefined) fail('missing-field', 'ACTIVATE_VERSION message is missing "version"');
      if (typeof value.version !== 'number' || !Number.isFinite(value.version))
        fail('invalid-field', `"version" must be a number, got ${describe(value.version)}`);
      return value as unknown as Message;
    case undefined:
      throw new ProtocolError(
        line,
        stream,
        'missing-field',
        'message is missing "type" (raw JSON objects, not Singer messages? pipe them through tap-json first: tap-json --stream <name> | ...)',
      );
    default:
      throw new ProtocolError(
        line,
        stream,
        'unknown-type',
        `unknown message type ${JSON.stringify(type)} (expected SCHEMA, RECORD, STATE or ACTIVATE_VERSION)`,
      );
  }
}
