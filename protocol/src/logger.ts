import { redact, redactFields } from './secret-redaction.js';

/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

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

/** Creates a {@link Logger}. Secrets are redacted by field name and by registered value. */
export function createLogger(options: LoggerOptions, base: Record<string, unknown> = {}): Logger {
  const threshold = LEVELS[options.level ?? (process.env.OBSERVES_LOG_LEVEL as LogLevel | undefined) ?? 'info'] ?? LEVELS.info;
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
      const extra = Object.entries(all)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
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

/** A Singer metric (`METRIC: {...}` in the Singer spec's text logs). */
export interface Metric {
  type: 'counter' | 'timer';
  /** `record_count`, `http_request_duration`... */
  metric: string;
  value: number;
  tags?: Record<string, unknown>;
}

/**
 * Logs a Singer metric as a log entry like any other: `{"message":"METRIC","metric":{"type":"counter",
 * "metric":"record_count","value":12,"tags":{"stream":"issues"}}}` (the `metric` field is the Singer payload).
 */
export function logMetric(logger: Logger, metric: Metric): void {
  logger.info('METRIC', { metric: { ...metric, tags: metric.tags ?? {} } });
}
