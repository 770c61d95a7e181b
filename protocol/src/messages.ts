/**
 * Singer message types. One JSON object per line, discriminated by `type`.
 * @packageDocumentation
 */

/** A JSON Schema (draft-07) as it travels in SCHEMA messages. Kept loose on purpose: taps send many dialects. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  required?: string[];
  format?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  additionalProperties?: boolean | JsonSchema;
  [keyword: string]: unknown;
};

/** A record: the JSON object a tap extracted. Values may include {@link ExactNumber} for numbers a double cannot hold. */
export type JsonRecord = Record<string, unknown>;

/** Declares (or redeclares) a stream's schema and primary key. */
export interface SchemaMessage {
  type: 'SCHEMA';
  stream: string;
  schema: JsonSchema;
  /** Primary key; empty means the stream has no key (append-only). */
  key_properties: string[];
  /** Fields a tap bookmarks on (informational). */
  bookmark_properties?: string[];
}

/** One extracted row of a stream. */
export interface RecordMessage {
  type: 'RECORD';
  stream: string;
  record: JsonRecord;
  /** RFC 3339 time the record was extracted. */
  time_extracted?: string;
  /** Table version for full-table replication (see ACTIVATE_VERSION). */
  version?: number;
}

/** An opaque bookmark the tap can resume from. Targets echo it once everything before it is committed. */
export interface StateMessage {
  type: 'STATE';
  value: unknown;
}

/** All records of `stream` with a version older than `version` are obsolete: the full refresh may be swapped in. */
export interface ActivateVersionMessage {
  type: 'ACTIVATE_VERSION';
  stream: string;
  version: number;
}

/** Any Singer message. Switch on `type` to narrow. */
export type Message = SchemaMessage | RecordMessage | StateMessage | ActivateVersionMessage;

/** The message type names, in a stable order. */
export const MESSAGE_TYPES = ['SCHEMA', 'RECORD', 'STATE', 'ACTIVATE_VERSION'] as const;

/** A message read from a stream, with the 1-based line it came from. */
export interface ReadMessage {
  line: number;
  message: Message;
  /** Length of the line in UTF-16 code units: a cheap measure of its size in memory, for batching by size. */
  size: number;
  /**
   * False when the line's text holds no `\u` escape, so no value can hold a NUL character or a lone surrogate
   * (the reader decodes only valid UTF-8): the checker then skips looking for them. Absent means unknown.
   */
  escaped?: boolean;
}
