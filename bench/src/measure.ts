import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';

/** One benchmark figure next to the limit it is bounded by. */
export interface Figure {
  /** What was measured. */
  name: string;
  /** Records (or rows, or MB) per second. */
  rate: number;
  /** Unit of `rate`. */
  unit: string;
  /** The bounding measurement on the same machine and data, when there is one. */
  limit?: { name: string; rate: number };
  /** Goal for `rate / limit.rate`, when the issue set one: a minimum, or a maximum with `lowerIsBetter`. */
  goal?: number;
  /** The goal is a ceiling (memory), not a floor (throughput). */
  lowerIsBetter?: boolean;
  /** Extra facts (row counts, peak memory...). */
  notes?: Record<string, number | string>;
}

/** Runs `work` and returns its duration in seconds. */
export async function timed(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Result of {@link runProgram}. */
export interface ProgramRun {
  seconds: number;
  /** Peak resident set size of the child in MB (from GNU time). */
  peakRssMb: number;
  stdout: string;
  /** Seconds the target's commits took in all (its `batch committed` log lines): the warehouse's busy time. */
  commitSeconds: number;
}

/**
 * Runs `node <args>` with `inputPath` on stdin under GNU time, so its peak RSS is the kernel's own
 * figure, not a sample. Fails with the child's stderr when it exits non-zero.
 */
export function runProgram(args: string[], inputPath: string, env: NodeJS.ProcessEnv = process.env): Promise<ProgramRun> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', 'OBSERVES_PEAK_RSS_KB=%M', process.execPath, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let commitMs = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let partial = '';
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      if (stderr.length > 1e6) stderr = stderr.slice(-5e5);
      // Commit times are summed line by line as they come, so the truncated log loses none.
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const m = /"message":"batch committed".*"ms":(\d+)/.exec(line);
        if (m) commitMs += Number(m[1]);
      }
    });
    // A child that exits early closes its stdin: its exit code and stderr say why, not an EPIPE here.
    child.stdin.on('error', () => undefined);
    createReadStream(inputPath).pipe(child.stdin);
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const peak = /OBSERVES_PEAK_RSS_KB=(\d+)/.exec(stderr);
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}:\n${stderr.slice(-4000)}`));
      resolve({ seconds, peakRssMb: peak ? Number(peak[1]) / 1024 : NaN, stdout, commitSeconds: commitMs / 1000 });
    });
  });
}

/** Formats figures as a markdown table with ratio columns. */
export function markdownTable(figures: Figure[]): string {
  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  const rows = figures.map((f) => {
    const ratio = f.limit ? f.rate / f.limit.rate : undefined;
    const percent = f.goal === undefined ? '' : `${Math.round(f.goal * 100)}%`;
    const met = ratio !== undefined && f.goal !== undefined && (f.lowerIsBetter ? ratio <= f.goal : ratio >= f.goal);
    const verdict =
      ratio === undefined || f.goal === undefined
        ? ''
        : f.lowerIsBetter
          ? met
            ? `met (≤ ${percent})`
            : `NOT met (> ${percent})`
          : met
            ? `met (≥ ${percent})`
            : `NOT met (< ${percent})`;
    const notes = f.notes
      ? Object.entries(f.notes)
          .map(([k, v]) => `${k}: ${typeof v === 'number' ? fmt(v) : v}`)
          .join('; ')
      : '';
    return `| ${f.name} | ${fmt(f.rate)} ${f.unit} | ${f.limit ? `${f.limit.name}: ${fmt(f.limit.rate)}` : ''} | ${ratio === undefined ? '' : `${(ratio * 100).toFixed(0)}%`} | ${verdict} | ${notes} |`;
  });
  return ['| measurement | rate | bounded by | ratio | goal | notes |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
