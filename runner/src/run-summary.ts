import type { RunReport, UnitResult } from './run-result.js';
import { formatTable } from './text-table.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function stateColumn(unit: UnitResult): string {
  if (unit.statesSaved === 0) return 'none saved';
  return unit.stateSaved ? `saved (${unit.statesSaved})` : `last NOT saved (${unit.statesSaved} saved before)`;
}

/**
 * The end-of-run summary for people: one row per unit and stream with the records the tap sent and those
 * the target says it loaded, then the outcome of each unit (duration, state, attempts, and why it failed:
 * the failing child's own last error). Pure.
 */
export function formatRunSummary(report: RunReport): string {
  const rows: Array<Array<string | number>> = [];
  for (const pipeline of report.pipelines) {
    for (const unit of pipeline.units) {
      const streams = [...new Set([...Object.keys(unit.records), ...Object.keys(unit.recordsLoaded ?? {})])];
      const loaded = (stream: string) => (unit.recordsLoaded ? (unit.recordsLoaded[stream] ?? 0) : '-');
      if (streams.length === 0) rows.push([unit.name, '-', 0, unit.recordsLoaded ? 0 : '-']);
      for (const stream of streams) rows.push([unit.name, stream, unit.records[stream] ?? 0, loaded(stream)]);
    }
  }
  const outcomes = report.pipelines.flatMap((p) =>
    p.units.map((u) => [u.name, u.status === 'succeeded' ? 'ok' : `FAILED (${u.failure})`, seconds(u.durationMs), stateColumn(u), p.attempts, u.message ?? '']),
  );
  return [
    formatTable(['run', 'stream', 'records sent', 'loaded'], rows, ['left', 'left', 'right', 'right']),
    formatTable(['run', 'result', 'duration', 'state', 'attempts', 'problem'], outcomes, ['left', 'left', 'right', 'left', 'right', 'left']),
    `exit code ${report.exitCode}\n`,
  ].join('\n');
}
