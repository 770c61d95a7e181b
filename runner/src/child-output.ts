import { redact, redactFields } from '@observes/protocol';

/** Which child of a unit a line comes from. */
export type ChildRole = 'tap' | 'target' | 'job';

/** Options of {@link ChildOutput}. */
export interface ChildOutputOptions {
  /** Unit name (`gitlab`, `dyn.scan.3`). */
  unit: string;
  role: ChildRole;
  /** JSON entries (stderr is not a TTY) or readable text lines. */
  json: boolean;
  /** Receives each forwarded line, without its newline. */
  write: (line: string) => void;
  /** Clock of the entries (tests). */
  now?: () => Date;
}

const LEVELS = new Set(['debug', 'info', 'warn', 'error']);
/** Lines of a crash report that say nothing about the cause: stack frames, Node's version footer, lone brackets. */
const NOISE = /^\s*$|^\s+at\s|^Node\.js v\d|^\s*[{}[\]()]+\s*$/;

function parseEntry(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Forwards one child's stderr: every line with secrets masked, as a field of the runner's own JSON entry
 * (`{"name":"observes","unit":"gitlab","child":"tap","level":…,"message":…,"entry":{…the child's other fields}}`)
 * or as readable text on a TTY (`[gitlab] tap: message`). Remembers the child's last error entry and
 * last plain line, which the run summary and report show as the reason of a failure.
 */
export class ChildOutput {
  /** The message of the child's last `error` entry. */
  lastError: string | undefined;
  /** The causes of the child's last `error` entry (its `causes` field, outermost first), when it has any. */
  lastErrorCauses: string[] | undefined;
  /** What the child's last `error` entry says of a retry (its `retryable` field): `undefined` when it says nothing. */
  lastErrorRetryable: boolean | undefined;
  /** The child's last line of plain text (not JSON), minus stack frames and the like. */
  lastLine: string | undefined;
  /** Records per stream the child says it loaded (a target's `records_loaded` field, in its last entry that has one). */
  recordsLoaded: Record<string, number> | undefined;

  constructor(private readonly options: ChildOutputOptions) {}

  /** Forwards one line the child wrote on stderr. */
  line(raw: string): void {
    const text = raw.replace(/\r$/, '');
    const entry = parseEntry(text);
    if (!entry) {
      const masked = redact(text);
      if (!NOISE.test(masked)) this.lastLine = masked;
      this.emit('info', masked, undefined);
      return;
    }
    const { level, message, ...rest } = redactFields(entry) as Record<string, unknown>;
    const severity = typeof level === 'string' && LEVELS.has(level) ? level : 'info';
    const words = redact(typeof message === 'string' ? message : JSON.stringify(message ?? ''));
    if (severity === 'error') {
      this.lastError = words;
      const causes = Array.isArray(rest.causes) ? rest.causes.map((c) => redact(typeof c === 'string' ? c : JSON.stringify(c))) : [];
      this.lastErrorCauses = causes.length > 0 ? causes : undefined;
      this.lastErrorRetryable = typeof rest.retryable === 'boolean' ? rest.retryable : undefined;
    }
    const loaded = rest.records_loaded;
    if (typeof loaded === 'object' && loaded !== null && Object.values(loaded).every((n) => typeof n === 'number'))
      this.recordsLoaded = loaded as Record<string, number>;
    this.emit(severity, words, rest);
  }

  /**
   * The child's own account of what went wrong, to append to `tap failed: exit code 1`: its last error entry with
   * its causes (`: batch 3 not loaded (caused by: lost the connection: ECONNRESET)`), else its last plain line, said to be just that.
   */
  get reason(): string {
    if (this.lastError !== undefined) return `: ${this.lastError}${this.lastErrorCauses ? ` (caused by: ${this.lastErrorCauses.join(': ')})` : ''}`;
    return this.lastLine !== undefined ? `; its last line on stderr: ${this.lastLine}` : '';
  }

  private emit(level: string, message: string, rest: Record<string, unknown> | undefined): void {
    const { unit, role, json, write } = this.options;
    if (json) {
      const time = (this.options.now?.() ?? new Date()).toISOString();
      const entry = { time, level, name: 'observes', message, unit, child: role, ...(rest && Object.keys(rest).length ? { entry: rest } : {}) };
      write(JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'string' ? redact(value) : value)));
      return;
    }
    const { time: _time, name: _name, ...fields } = rest ?? {};
    const extra = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    write(redact(`[${unit}] ${role}${level === 'info' ? '' : ` ${level.toUpperCase()}`}: ${[message, ...extra].join(' ')}`));
  }
}
