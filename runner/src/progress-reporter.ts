import type { Logger } from '@observes/protocol';
import { LiveStderr } from './live-stderr.js';
import type { RecordCounter } from './record-counter.js';

/** Options of {@link ProgressReporter}. */
export interface ProgressReporterOptions {
  /** Time between reports in ms (default 1000 on a TTY, 30 000 otherwise). */
  intervalMs?: number;
  /** Draw one live line (on a TTY) instead of periodic log lines. */
  live: boolean;
  /** Where the live line goes (default stderr); log lines written through it stay above the live line. */
  terminal?: LiveStderr;
  /** Where periodic log lines go. */
  logger: Logger;
}

interface Tracked {
  counter: RecordCounter;
  last: Map<string, number>;
}

/** Formats one unit's progress: `gitlab: projects 1200 (340/s), jobs 90 (12/s)`. Pure. */
export function formatProgress(unit: string, counts: Map<string, number>, last: Map<string, number>, seconds: number): string {
  const parts = [...counts].map(([stream, n]) => `${stream} ${n} (${Math.round((n - (last.get(stream) ?? 0)) / seconds)}/s)`);
  return `${unit}: ${parts.length ? parts.join(', ') : 'waiting for records'}`;
}

/**
 * Reports records per second per stream while pipelines run: a live line on a TTY, a log line per
 * unit and interval otherwise (Batch logs). Counts come from each unit's {@link RecordCounter}.
 */
export class ProgressReporter {
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private lastTick = Date.now();
  private readonly terminal: LiveStderr;

  constructor(private readonly options: ProgressReporterOptions) {
    this.terminal = options.terminal ?? new LiveStderr();
  }

  /** Starts reporting a unit; call the returned function when it ends. */
  track(unit: string, counter: RecordCounter): () => void {
    this.tracked.set(unit, { counter, last: new Map() });
    if (!this.timer) {
      this.lastTick = Date.now();
      this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? (this.options.live ? 1000 : 30_000));
      this.timer.unref();
    }
    return () => {
      this.tracked.delete(unit);
      if (this.tracked.size === 0) this.stop();
    };
  }

  /** Stops the timer and clears the live line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.options.live) this.terminal.clear();
  }

  private tick(): void {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - this.lastTick) / 1000);
    this.lastTick = now;
    const lines: string[] = [];
    for (const [unit, t] of this.tracked) {
      const counts = new Map(t.counter.counts);
      if (this.options.live) lines.push(formatProgress(unit, counts, t.last, seconds));
      else {
        const rates = Object.fromEntries([...counts].map(([s, n]) => [s, Math.round((n - (t.last.get(s) ?? 0)) / seconds)]));
        this.options.logger.info('progress', { unit, records: Object.fromEntries(counts), records_per_second: rates });
      }
      t.last = counts;
    }
    if (this.options.live && lines.length) {
      const width = process.stderr.columns || 120;
      this.terminal.show(lines.join(' | ').slice(0, width - 1));
    }
  }
}
