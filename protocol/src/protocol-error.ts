import { InputError } from './errors.js';

/** What went wrong with an input line, as a machine-readable code. */
export type ProblemCode =
  | 'malformed-json'
  | 'not-an-object'
  | 'unknown-type'
  | 'missing-field'
  | 'invalid-field'
  | 'line-too-long'
  | 'invalid-utf8'
  | 'invalid-text'
  | 'record-before-schema'
  | 'invalid-schema'
  | 'missing-key-property'
  | 'record-invalid'
  | 'version-before-schema';

/**
 * Bad input: names the line, the stream (when known) and the problem, then where in the record it is.
 * Its message reads `line 12: stream "jobs": record breaks its schema at /id: must be integer (key [7])`.
 */
export class ProtocolError extends InputError {
  /** 1-based line number of the offending line. */
  readonly line: number;
  /** Stream the line belongs to, when it could be read. */
  readonly stream: string | undefined;
  /** Machine-readable problem. */
  readonly code: ProblemCode;
  /** The problem in words, without the line and stream prefix. */
  readonly problem: string;
  /** JSON pointer of the offending value inside the record, for record problems (`/author/name`). */
  readonly pointer: string | undefined;
  /** Where the problem is, after it in parentheses: the record's key (`key [7]`), a target's table and column. */
  readonly details: readonly string[];

  constructor(line: number, stream: string | undefined, code: ProblemCode, problem: string, pointer?: string, details: readonly string[] = []) {
    super(`line ${line}: ${stream === undefined ? '' : `stream ${JSON.stringify(stream)}: `}${problem}${details.length > 0 ? ` (${details.join(', ')})` : ''}`);
    this.line = line;
    this.stream = stream;
    this.code = code;
    this.problem = problem;
    this.pointer = pointer;
    this.details = details;
  }

  /** The same error with more details (a target adds the table and column of the pointer). */
  withDetails(...more: string[]): ProtocolError {
    return new ProtocolError(this.line, this.stream, this.code, this.problem, this.pointer, [...this.details, ...more]);
  }
}
