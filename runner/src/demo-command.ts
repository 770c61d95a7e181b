import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quote } from 'shlex';
import type { CommandModule } from 'yargs';
import { createLogger } from '@observes/protocol';
import { openStateStore } from '@observes/state';
import { loadPipeline } from './pipeline-config.js';
import { runPipeline } from './run-pipeline.js';
import type { PipelineResult } from './run-result.js';
import { formatTable } from './text-table.js';

/** The bundled example stream `observes validate` can be tried on. */
export const EXAMPLE_STREAM = fileURLToPath(new URL('../examples/streams/example.jsonl', import.meta.url));
/** The bundled demo pipeline. */
export const DEMO_PIPELINE = fileURLToPath(new URL('../examples/demo/demo.yaml', import.meta.url));
/** The demo's fixtures: the source as it is on day 1, and on day 2 (new and changed orders, new customers). */
export const DEMO_DAYS = [1, 2].map((day) => fileURLToPath(new URL(`../examples/demo/data/day-${day}.jsonl`, import.meta.url)));

/** Arguments of `observes demo`. */
export interface DemoArgs {
  /** Directory of the embedded state and warehouse (default `.observes`). */
  dir: string;
}

/** Tables of a PGlite warehouse schema with their row counts. */
async function tableCounts(warehouseDir: string, schema: string): Promise<Array<[string, number]>> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(warehouseDir);
  try {
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
      [schema],
    );
    const counts: Array<[string, number]> = [];
    for (const { table_name } of tables.rows) {
      const result = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."${table_name.replace(/"/g, '""')}"`);
      counts.push([`${schema}.${table_name}`, result.rows[0].n]);
    }
    return counts;
  } finally {
    await db.close();
  }
}

/**
 * `observes demo` (what `npm start` runs): the bundled demo pipeline twice on the embedded defaults
 * (state in `.observes/state`, warehouse in PGlite under `.observes/warehouse`): first on day 1's
 * fixture from scratch, then on day 2's, resuming from the state the first run committed, so the
 * second run only moves what changed. Prints both runs and the warehouse's tables and row counts.
 */
export async function runDemo(args: DemoArgs, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const dir = resolve(args.dir);
  const warehouse = join(dir, 'warehouse');
  await mkdir(dir, { recursive: true });
  const logPath = join(dir, 'demo.log');
  const log = createWriteStream(logPath, { flags: 'a' });
  const write = (line: string) => log.write(line.endsWith('\n') ? line : `${line}\n`);
  const logger = createLogger({ name: 'observes', json: true, write });
  const stateUrl = `file://${join(dir, 'state', 'demo.json')}`;
  // The demo always starts from scratch so that its first run is a full extraction.
  await openStateStore(stateUrl).clear();
  out.write(`Observes demo: tap-example -> target-redshift (PGlite warehouse in ${warehouse})\nChild logs: ${logPath}\n\n`);
  const results: PipelineResult[] = [];
  try {
    for (const [i, fixture] of DEMO_DAYS.entries()) {
      const pipeline = await loadPipeline(DEMO_PIPELINE, { env: { ...process.env, OBSERVES_DEMO_FIXTURE: fixture, OBSERVES_DEMO_WAREHOUSE: warehouse } });
      for (const unit of pipeline.phases[0].units) unit.stateUrl = stateUrl;
      out.write(`Run ${i + 1}: source as of day ${i + 1}${i === 0 ? ', no state yet: full extraction' : ', resuming from the state run 1 committed'}...\n`);
      const result = await runPipeline(pipeline, { logger, stderr: write });
      results.push(result);
      const unit = result.units[0];
      if (result.status !== 'succeeded') {
        out.write(`  FAILED (${unit.failure}): ${unit.message}\n  See ${logPath}\n`);
        return result.exitCode;
      }
      const table = formatTable(['stream', 'records sent'], Object.entries(unit.records));
      out.write(`${table.replace(/^/gm, '  ').trimEnd()}\n  (${(unit.durationMs / 1000).toFixed(1)}s, state saved)\n\n`);
    }
  } finally {
    log.end();
  }
  const [first, second] = results.map((r) => r.units[0].records);
  const changes = Object.keys(first).map((stream) => [stream, first[stream] ?? 0, second[stream] ?? 0] as [string, number, number]);
  out.write(`The second run is differential:\n${formatTable(['stream', 'run 1', 'run 2'], changes)}`);
  out.write(
    '(customers is a full-table stream: always whole; orders is incremental: run 2 sends only orders changed since the bookmark, the bookmark itself included)\n\n',
  );
  out.write(`Warehouse tables:\n${formatTable(['table', 'rows'], await tableCounts(warehouse, 'demo'))}`);
  out.write(`\nState: ${stateUrl}\n(see it from any directory: ${demoStateCommand(stateUrl)})\n`);
  return 0;
}

/** The command that shows the demo's state, wherever it is run from. */
export function demoStateCommand(stateUrl: string): string {
  return `npx observes state show demo --url ${quote(stateUrl)}`;
}

/** `observes demo`: what `npm start` runs. */
export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'Run the bundled demo pipeline twice on the embedded defaults and show the second run is differential',
  builder: (yargs) => yargs.option('dir', { type: 'string', default: '.observes', describe: 'Directory of the embedded state and warehouse' }) as never,
  handler: async (args) => {
    process.exitCode = await runDemo(args);
  },
};
