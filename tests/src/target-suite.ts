import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastLines, runNode, type ProcessResult } from './run-process.js';
import { loadCanonicalStreams, type CanonicalStream, type StreamTableExpectation, type ValueCheck } from './stream-expectation.js';
import type { TargetCapabilities, TargetFixture, TargetSuiteOptions } from './target-suite-types.js';
import { describeValue, matchesExpected } from './value-match.js';

export type { TargetCapabilities, TargetFixture, TargetSuiteOptions } from './target-suite-types.js';

type Row = Record<string, unknown>;

/**
 * Registers the standard target suite with mocha: for every canonical stream under `tests/streams`, a fresh
 * fixture, one run of `node <bin> --config <file>` with the stream on stdin, then checks of the exit code,
 * stdout (STATE lines only, ending with the stream's last STATE), row counts, child tables, exact values,
 * nothing applied for failing streams, and for merging targets a second identical run that changes nothing.
 */
export function targetSuite(options: TargetSuiteOptions): void {
  const capabilities: Required<TargetCapabilities> = { activatesVersions: options.capabilities.mergesByKey, ...options.capabilities };
  const streams = loadCanonicalStreams().filter((stream) => !options.only || options.only.includes(stream.name));

  describe(`targetSuite: ${options.name}`, () => {
    it('has an executable', () => {
      expect(existsSync(options.bin), `no file at ${options.bin}`).to.equal(true);
    });
    for (const stream of streams) canonicalStreamTests(options, capabilities, stream);
  });
}

function canonicalStreamTests(options: TargetSuiteOptions, capabilities: Required<TargetCapabilities>, stream: CanonicalStream): void {
  const { expectation } = stream;
  describe(`${stream.name}: ${expectation.description}`, () => {
    let fixture: TargetFixture | undefined;
    let dir: string;
    let first: ProcessResult;
    const load = () => runNode([options.bin, '--config', join(dir, 'config.json')], { input: stream.text, env: fixture!.env });

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'observes-target-suite-'));
      fixture = await options.setup();
      writeFileSync(join(dir, 'config.json'), JSON.stringify(fixture.config));
      first = await load();
    });
    after(async () => {
      await fixture?.teardown();
      rmSync(dir, { recursive: true, force: true });
    });

    const error = expectation.error;
    if (error) {
      it(`exits non-zero naming line ${error.line}`, () => {
        expect(first.code, `exit code; stderr:\n${lastLines(first.stderr)}`).to.not.equal(0);
        expect(first.stderr, 'stderr').to.contain(`line ${error.line}`);
      });
      it('applies nothing and confirms no state', async () => {
        expect(stateLines(first.stdout), 'STATE lines on stdout').to.deep.equal([]);
        for (const name of streamNames(stream)) {
          expect(await fixture!.rows(name), `rows of ${name}`).to.deep.equal([]);
        }
      });
      return;
    }

    it("exits 0 and writes only STATE lines to stdout, the last equal to the stream's last STATE", () => {
      expectCleanRun(first, stream);
    });

    for (const [name, table] of Object.entries(expectation.streams ?? {})) {
      it(`stores ${plural(expectedRows(table, capabilities), 'row')} in ${name}${capabilities.flattens && table.childTables ? ' and its child tables' : ''}`, async () => {
        await expectRows(fixture!, name, table, capabilities);
      });
      if (table.values?.length) {
        it(`keeps the values of ${name} exact`, async () => {
          const rows = await fixture!.rows(name);
          for (const check of table.values!) expectValues(rows, check, capabilities);
        });
      }
    }

    if (expectation.idempotent && capabilities.mergesByKey) {
      it('loading the same stream again changes no row count', async () => {
        const again = await load();
        expectCleanRun(again, stream);
        for (const [name, table] of Object.entries(expectation.streams ?? {})) await expectRows(fixture!, name, table, capabilities);
      });
    }
  });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The STATE values a target printed, in order; fails on any other stdout line. */
function stateLines(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      let message: { type?: unknown; value?: unknown };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        throw new Error(`stdout holds a line that is not JSON: ${line.slice(0, 200)}`);
      }
      expect(message.type, `stdout line ${line.slice(0, 200)}`).to.equal('STATE');
      return message.value;
    });
}

/** The value of the stream file's last STATE message. */
function lastState(stream: CanonicalStream): unknown {
  const states = stream.text
    .split('\n')
    .filter((line) => line.includes('"STATE"'))
    .map((line) => JSON.parse(line) as { type: string; value: unknown })
    .filter((message) => message.type === 'STATE');
  return states.at(-1)?.value;
}

/** Names of the streams a file's lines mention (lines that do not parse are skipped). */
function streamNames(stream: CanonicalStream): string[] {
  const names = new Set<string>();
  for (const line of stream.text.split('\n')) {
    try {
      const message = JSON.parse(line) as { stream?: unknown };
      if (typeof message.stream === 'string') names.add(message.stream);
    } catch {
      // The malformed line of a failing stream names no stream we can trust.
    }
  }
  return [...names];
}

function expectCleanRun(run: ProcessResult, stream: CanonicalStream): void {
  expect(run.code, `exit code; stderr:\n${lastLines(run.stderr)}`).to.equal(0);
  const states = stateLines(run.stdout);
  expect(states.length, 'STATE lines on stdout').to.be.greaterThan(0);
  expect(states.at(-1), 'last STATE').to.deep.equal(lastState(stream));
}

function expectedRows(table: StreamTableExpectation, capabilities: Required<TargetCapabilities>): number {
  if (!capabilities.mergesByKey) return table.records;
  return capabilities.activatesVersions ? (table.activeRows ?? table.rows) : table.rows;
}

async function expectRows(fixture: TargetFixture, name: string, table: StreamTableExpectation, capabilities: Required<TargetCapabilities>): Promise<void> {
  expect(await fixture.rows(name), `rows of ${name}`).to.have.length(expectedRows(table, capabilities));
  const tables = await fixture.tables();
  expect(tables, 'tables').to.include(name.toLowerCase());
  if (!capabilities.flattens) return;
  const children = table.childTables ?? {};
  const made = tables.filter((t) => t.startsWith(`${name.toLowerCase()}__`)).sort();
  expect(made, `child tables of ${name}`).to.deep.equal(Object.keys(children).sort());
  for (const [child, counts] of Object.entries(children)) {
    expect(await fixture.rows(child), `rows of ${child}`).to.have.length(capabilities.mergesByKey ? counts.rows : counts.records);
  }
}

/** A row's column, by exact name or else case-insensitively. */
function column(row: Row, name: string): unknown {
  if (name in row) return row[name];
  const key = Object.keys(row).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : row[key];
}

function expectValues(rows: Row[], check: ValueCheck, capabilities: Required<TargetCapabilities>): void {
  const where = Object.entries(check.where);
  const label = `row ${JSON.stringify(check.where)}`;
  const candidates = rows.filter((row) => where.every(([name, value]) => matchesExpected(column(row, name), value)));
  expect(candidates.length, `${label}: matching rows`).to.be.greaterThan(0);
  if (capabilities.mergesByKey) expect(candidates.length, `${label}: one row per key`).to.equal(1);
  const columns = Object.entries({ ...check.columns, ...(capabilities.flattens ? check.flattened : {}) });
  // A target that keeps every record may hold older versions of the row too: one of them must match.
  const satisfies = (row: Row) =>
    columns.every(([name, value]) => matchesExpected(column(row, name), value)) &&
    (check.anywhere ?? []).every((value) => Object.values(row).some((actual) => matchesExpected(actual, value)));
  if (!candidates.some(satisfies)) {
    const row = candidates.at(-1)!;
    for (const [name, value] of columns) {
      expect(
        matchesExpected(column(row, name), value),
        `${label}, column ${name}: got ${describeValue(column(row, name))}, want ${describeValue(value)}`,
      ).to.equal(true);
    }
    for (const value of check.anywhere ?? []) {
      expect(
        Object.values(row).some((actual) => matchesExpected(actual, value)),
        `${label}: no column holds ${describeValue(value)}; row ${describeValue(row)}`,
      ).to.equal(true);
    }
  }
}
