import { parseJsonLossless, serializeJson } from '@observes/protocol';

/** Serializes a state value as one JSON line; numbers a double cannot hold stay exact. */
export function encodeState(value: unknown): string {
  return serializeJson(value) + '\n';
}

/**
 * Parses stored state text.
 * @param where - the URL, named in the error when the text is not JSON
 */
export function decodeState(text: string, where: string): unknown {
  try {
    return parseJsonLossless(text);
  } catch (error) {
    throw new Error(`state at ${where} is not valid JSON: ${(error as Error).message}`);
  }
}
