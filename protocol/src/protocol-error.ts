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
 * Bad input: names the line, the stream (when known) and the problem.
 * Its message reads `line 12: stream "jobs": record breaks its schema at /id: must be integer`.
 */
export class ProtocolError extends Error {
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

  constructor(line: number, stream: string | undefined, code: ProblemCode, problem: string, pointer?: string) {
    super(`line ${line}: ${stream === undefined ? '' : `stream ${JSON.stringify(stream)}: `}${problem}`);
    this.name = 'ProtocolError';
    this.line = line;
    this.stream = stream;
    this.code = code;
    this.problem = problem;
    this.pointer = pointer;
  }
}
