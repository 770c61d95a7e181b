/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names whose values are always redacted, whatever logs them. */
const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|authorization|cookie|credential|private/i;

/** Structured logger writing to stderr: one JSON object per line when stderr is not a TTY, readable text when it is. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Program name, logged as `name` (e.g. `target-redshift`). */
  name: string;
  /** Minimum level; default from `OBSERVES_LOG_LEVEL`, else `info`. */
  level?: LogLevel;
  /** Force JSON (true) or text (false); default: JSON unless stderr is a TTY. */
  json?: boolean;
  /** Where lines go; default `process.stderr`. */
  write?: (line: string) => void;
}

/** Secret values registered by any program part; scrubbed from every log line and error text. */
const secrets = new Set<string>();

/** Registers a secret value (a password, a token) so that it never appears in logs or in {@link redact}ed text. */
export function registerSecret(value: unknown): void {
  if (typeof value === 'string' && value.length >= 4) secrets.add(value);
}

/** Replaces every registered secret in `text` with `***`. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}

/** A deep copy of `value` with fields whose names look secret replaced by `***`. */
export function redactFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactFields);
  if (typeof value === 'object' && value !== null && !(value instanceof Error)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'object' ? '***' : redactFields(v);
    return out;
  }
  return value;
}

/** Creates a {@link Logger}. Secrets are redacted by field name and by registered value. */
export function createLogger(options: LoggerOptions, base: Record<string, unknown> = {}): Logger {
  const threshold = LEVELS[options.level ?? ((process.env.OBSERVES_LOG_LEVEL as LogLevel | undefined) ?? 'info')] ?? LEVELS.info;
  const json = options.json ?? !process.stderr.isTTY;
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const all = redactFields({ ...base, ...fields }) as Record<string, unknown>;
    for (const [k, v] of Object.entries(all)) if (v instanceof Error) all[k] = v.message;
    let line: string;
    if (json) {
      line = JSON.stringify({ time: new Date().toISOString(), level, name: options.name, message, ...all });
    } else {
      const extra = Object.entries(all).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      line = `${options.name} ${level.toUpperCase()} ${message}${extra ? ' ' + extra : ''}`;
    }
    write(redact(line) + '\n');
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}
