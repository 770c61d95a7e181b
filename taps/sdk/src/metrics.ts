import { logMetric, type Logger, type Metric } from '@observes/protocol';

/** Singer metric kinds. */
export type MetricType = Metric['type'];

/**
 * Emits Singer metrics as log entries of the tap's logger (JSON lines on stderr):
 * `{"message":"METRIC","metric":{"type":"counter","metric":"record_count","value":N,"tags":{...}}}`.
 */
export class Metrics {
  /** @param logger - the tap's logger */
  constructor(private readonly logger: Logger) {}

  /** Emits one metric. */
  emit(type: MetricType, metric: string, value: number, tags: Record<string, unknown> = {}): void {
    logMetric(this.logger, { type, metric, value, tags });
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
