import { redact } from '@observes/protocol';

/** Singer metric kinds. */
export type MetricType = 'counter' | 'timer';

/** Writes Singer METRIC lines (`METRIC: {"type":"counter","metric":"record_count","value":N,"tags":{...}}`) to stderr. */
export class Metrics {
  /** @param write - where lines go; default stderr */
  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(line)) {}

  /** Emits one metric line. */
  emit(type: MetricType, metric: string, value: number, tags: Record<string, unknown> = {}): void {
    this.write(redact(`METRIC: ${JSON.stringify({ type, metric, value, tags })}`) + '\n');
  }

  /** A counter, e.g. `record_count` per stream. */
  counter(metric: string, value: number, tags?: Record<string, unknown>): void {
    this.emit('counter', metric, value, tags);
  }

  /** A timer in seconds, e.g. `http_request_duration`. */
  timer(metric: string, seconds: number, tags?: Record<string, unknown>): void {
    this.emit('timer', metric, seconds, tags);
  }
}
