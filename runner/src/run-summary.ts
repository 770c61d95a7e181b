import type { RunReport } from './run-result.js';
import { formatTable } from './text-table.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * The end-of-run summary for people: one row per unit and stream with its records, then the
 * outcome of each unit (duration, state saved or not, why it failed). Pure.
 */
export function formatRunSummary(report: RunReport): string {
  const rows: Array<Array<string | number>> = [];
  for (const pipeline of report.pipelines) {
    for (const unit of pipeline.units) {
      const streams = Object.entries(unit.records);
      if (streams.length === 0) rows.push([unit.name, '-', 0]);
      for (const [stream, records] of streams) rows.push([unit.name, stream, records]);
    }
  }
  const outcomes = report.pipelines.flatMap((p) =>
    p.units.map((u) => [
      u.name,
      u.status === 'succeeded' ? 'ok' : `FAILED (${u.failure})`,
      seconds(u.durationMs),
      u.statesSaved > 0 ? (u.stateSaved ? `saved (${u.statesSaved})` : 'NOT saved') : 'none echoed',
      p.attempts,
      u.message ?? '',
    ]),
  );
  return [
    formatTable(['run', 'stream', 'records'], rows, ['left', 'left', 'right']),
    formatTable(['run', 'result', 'duration', 'state', 'attempts', 'problem'], outcomes, ['left', 'left', 'right', 'left', 'right', 'left']),
    `exit code ${report.exitCode}\n`,
  ].join('\n');
}
