import { serializeJson } from './exact-number.js';
import type { InvalidTextPolicy } from './line-reader.js';
import type { JsonRecord, JsonSchema, ReadMessage, SchemaMessage } from './messages.js';
import { ProtocolError } from './protocol-error.js';
import { RecordValidator, type DetailedRecordCheck } from './record-validator.js';
import { findBadText, replaceBadText } from './text-check.js';

/** Per-stream counts, as `observes validate` prints them. */
export interface StreamSummary {
  stream: string;
  schemas: number;
  records: number;
  versions: number;
  keyProperties: string[];
}

/** `key [7]` for a record of a keyed stream: which record a problem is about. */
export function keyDetails(schema: { keyProperties: string[] }, record: JsonRecord): string[] {
  return schema.keyProperties.length === 0 ? [] : [`key ${serializeJson(schema.keyProperties.map((k) => record[k] ?? null))}`];
}

/** A stream's current SCHEMA, compiled. */
export interface StreamSchema {
  stream: string;
  schema: JsonSchema;
  keyProperties: string[];
  bookmarkProperties: string[];
  /** Record check, absent when validation is off. */
  check?: DetailedRecordCheck;
}

/** Options of {@link StreamChecker}. */
export interface StreamCheckerOptions {
  /** Validate each record against its stream's schema (default true). Envelope and key checks always run. */
  validateRecords?: boolean;
  /** Shared validator, so several checkers reuse compiled schemas. */
  validator?: RecordValidator;
  /**
   * Strings holding a NUL character or a lone surrogate (from `\u0000`, `\ud800` escapes), which no warehouse
   * stores: `fail` (default) refuses the record (`invalid-text`, naming its key and the value's pointer);
   * `replace` turns them into U+FFFD in place and counts them in {@link StreamChecker.replacedText}.
   */
  invalidText?: InvalidTextPolicy;
}

/**
 * Checks a Singer stream message by message: schemas are valid, every RECORD follows its stream's
 * SCHEMA, carries its key properties and fits its schema. Counts what it saw per stream.
 * Throws {@link ProtocolError} naming the line, the stream and the problem.
 */
export class StreamChecker {
  /** Current schema of each stream seen. */
  readonly schemas = new Map<string, StreamSchema>();
  private readonly counts = new Map<string, StreamSummary>();
  private readonly validateRecords: boolean;
  private readonly validator: RecordValidator;
  private readonly replaceText: boolean;
  /** Number of STATE messages seen. */
  states = 0;
  /** Bad characters replaced with U+FFFD (`invalidText: 'replace'`). */
  replacedText = 0;

  constructor(options: StreamCheckerOptions = {}) {
    this.validateRecords = options.validateRecords ?? true;
    this.validator = options.validator ?? new RecordValidator();
    this.replaceText = options.invalidText === 'replace';
  }

  /** Checks one message; returns the stream's schema for RECORD, SCHEMA and ACTIVATE_VERSION. */
  check({ line, message, escaped }: ReadMessage): StreamSchema | undefined {
    switch (message.type) {
      case 'SCHEMA':
        return this.acceptSchema(message, line);
      case 'RECORD': {
        const current = this.schemas.get(message.stream);
        if (!current) throw new ProtocolError(line, message.stream, 'record-before-schema', 'RECORD before any SCHEMA for this stream');
        const record = message.record;
        for (const key of current.keyProperties) {
          const value = record[key];
          if (value === undefined || value === null) {
            throw new ProtocolError(line, message.stream, 'missing-key-property', `record is missing key property ${JSON.stringify(key)}`);
          }
        }
        // Decoded text is valid Unicode without NUL: only `\u` escapes can bring either in.
        if (escaped !== false) {
          if (this.replaceText) this.replacedText += replaceBadText(record);
          else {
            const bad = findBadText(record);
            if (bad)
              throw new ProtocolError(
                line,
                message.stream,
                'invalid-text',
                `record at ${bad.pointer}: ${bad.problem}`,
                bad.pointer,
                keyDetails(current, record),
              );
          }
        }
        if (current.check) {
          const problem = current.check(record);
          if (problem) throw new ProtocolError(line, message.stream, 'record-invalid', problem.text, problem.pointer, keyDetails(current, record));
        }
        this.summaryOf(message.stream).records++;
        return current;
      }
      case 'ACTIVATE_VERSION': {
        const current = this.schemas.get(message.stream);
        if (!current) throw new ProtocolError(line, message.stream, 'version-before-schema', 'ACTIVATE_VERSION before any SCHEMA for this stream');
        this.summaryOf(message.stream).versions++;
        return current;
      }
      case 'STATE':
        this.states++;
        return undefined;
    }
  }

  /** Counts per stream, in the order streams first appeared. */
  summary(): StreamSummary[] {
    return [...this.counts.values()];
  }

  private summaryOf(stream: string): StreamSummary {
    let summary = this.counts.get(stream);
    if (!summary) {
      summary = { stream, schemas: 0, records: 0, versions: 0, keyProperties: [] };
      this.counts.set(stream, summary);
    }
    return summary;
  }

  private acceptSchema(message: SchemaMessage, line: number): StreamSchema {
    const { stream, schema } = message;
    const keyProperties = message.key_properties;
    const properties = schema.properties;
    if (properties !== undefined && (typeof properties !== 'object' || properties === null || Array.isArray(properties))) {
      throw new ProtocolError(line, stream, 'invalid-schema', 'invalid schema: "properties" must be an object');
    }
    for (const key of keyProperties) {
      if (properties && !(key in properties)) {
        throw new ProtocolError(line, stream, 'invalid-schema', `invalid schema: key property ${JSON.stringify(key)} is not among its properties`);
      }
    }
    let check: DetailedRecordCheck | undefined;
    try {
      check = this.validator.compileDetailed(schema);
    } catch (error) {
      throw new ProtocolError(line, stream, 'invalid-schema', `invalid schema: ${(error as Error).message}`);
    }
    const current: StreamSchema = {
      stream,
      schema,
      keyProperties,
      bookmarkProperties: message.bookmark_properties ?? [],
      check: this.validateRecords ? check : undefined,
    };
    this.schemas.set(stream, current);
    const summary = this.summaryOf(stream);
    summary.schemas++;
    summary.keyProperties = keyProperties;
    return current;
  }
}
