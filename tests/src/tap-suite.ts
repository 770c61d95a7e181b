import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ProtocolError, readMessages, RecordValidator, StreamChecker, type Message } from '@observes/protocol';
import { lastLines, runNode, type ProcessResult } from './run-process.js';

/** A config that must be refused, and words the refusal must contain. */
export interface BadConfig {
  config: Record<string, unknown>;
  /** Texts stderr must contain, one per problem (e.g. the names of the missing or mistyped settings). */
  problems: string[];
}

/** Options of {@link tapSuite}. */
export interface TapSuiteOptions {
  /** Name shown in the mocha `describe` title. */
  name: string;
  /** Absolute path of the tap's executable JavaScript (its `bin/<name>.js` shim); run as `node <bin> …`. */
  bin: string;
  /** A valid config pointing at the test source (a fake API started in `setup`…); called after `setup`. */
  config(): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Extra environment variables for the tap process; called after `setup`. */
  env?(): Record<string, string>;
  /** Starts what the tap reads from (fake API, dynalite…); runs once before the suite. */
  setup?(): Promise<void>;
  /** Stops what `setup` started. */
  teardown?(): Promise<void>;
  /**
   * A config the tap must refuse. Default: every top-level setting of the valid config given a value of the
   * wrong JSON type, with each setting's name expected in stderr.
   */
  badConfig?: BadConfig;
  /**
   * Sync with `--catalog`: the discovered catalog with every stream selected. By default the tap syncs with
   * its default selection (no `--catalog`).
   */
  selectAll?: boolean;
}

/** Singer catalog as `--discover` prints it. */
interface Catalog {
  streams: {
    tap_stream_id: string;
    stream: string;
    schema: Record<string, unknown>;
    metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[];
  }[];
}

/** A value of another JSON type, so a config validator must reject it. */
function mistyped(value: unknown): unknown {
  if (typeof value === 'string') return 12345;
  return 'not-a-valid-value';
}

/** Setting values that must never show up in output: strings under secret-looking names. */
function secretsOf(config: Record<string, unknown>): string[] {
  return Object.entries(config)
    .filter(([key, value]) => /password|token|secret|api_?key|credential/i.test(key) && typeof value === 'string' && value.length >= 6)
    .map(([, value]) => value as string);
}

/** Checks every stdout line is a Singer message (SCHEMA before RECORD, records fit their schemas). */
async function checkMessages(stdout: string): Promise<{ messages: Message[]; checker: StreamChecker }> {
  const checker = new StreamChecker();
  const messages: Message[] = [];
  try {
    for await (const read of readMessages(Readable.from([Buffer.from(stdout)]))) {
      checker.check(read);
      messages.push(read.message);
    }
  } catch (error) {
    if (error instanceof ProtocolError) throw new Error(`stdout is not a valid Singer stream: ${error.message}`);
    throw error;
  }
  return { messages, checker };
}

/**
 * Registers the standard tap suite with mocha: `--help`, `--about`, `--version`, `--discover` (a valid catalog),
 * a sync writing only valid Singer messages and ending with a STATE, a refused bad config listing its
 * problems, secrets kept out of output, and a second sync resumed from the emitted state.
 */
export function tapSuite(options: TapSuiteOptions): void {
  describe(`tapSuite: ${options.name}`, () => {
    let dir: string;
    let config: Record<string, unknown>;
    let env: Record<string, string> | undefined;
    let lastState: unknown;
    const tap = (...args: string[]) => runNode([options.bin, ...args], { env });
    const file = (name: string, content: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(content));
      return path;
    };
    const expectOk = (run: ProcessResult, what: string) => expect(run.code, `${what}: exit code; stderr:\n${lastLines(run.stderr)}`).to.equal(0);
    const expectNoSecrets = (run: ProcessResult) => {
      for (const secret of secretsOf(config)) {
        expect(run.stdout.includes(secret) || run.stderr.includes(secret), 'a secret setting appears in the output').to.equal(false);
      }
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'observes-tap-suite-'));
      await options.setup?.();
      config = await options.config();
      env = options.env?.();
    });
    after(async () => {
      await options.teardown?.();
      rmSync(dir, { recursive: true, force: true });
    });

    it('--help describes the options', async () => {
      const run = await tap('--help');
      expectOk(run, '--help');
      expect(run.stdout).to.contain('--config');
    });

    it('--version prints a version', async () => {
      const run = await tap('--version');
      expectOk(run, '--version');
      expect(run.stdout.trim()).to.match(/\d+\.\d+\.\d+/);
    });

    it('--about prints a JSON description with a name', async () => {
      const run = await tap('--about');
      expectOk(run, '--about');
      const about = JSON.parse(run.stdout) as { name?: unknown };
      expect(about.name, 'about.name').to.be.a('string');
    });

    it('--discover prints a valid Singer catalog', async () => {
      const run = await tap('--config', file('config.json', config), '--discover');
      expectOk(run, '--discover');
      const catalog = JSON.parse(run.stdout) as Catalog;
      expect(catalog.streams, 'catalog.streams').to.be.an('array').that.is.not.empty;
      const validator = new RecordValidator();
      for (const entry of catalog.streams) {
        expect(entry.tap_stream_id, 'tap_stream_id').to.be.a('string');
        expect(entry.stream, 'stream').to.be.a('string');
        expect(entry.schema, `${entry.stream}: schema`).to.be.an('object');
        expect(() => validator.compile(entry.schema), `${entry.stream}: schema compiles`).to.not.throw();
        expect(entry.metadata, `${entry.stream}: metadata`).to.be.an('array');
        expect(
          entry.metadata.some((m) => Array.isArray(m.breadcrumb) && m.breadcrumb.length === 0),
          `${entry.stream}: stream-level metadata (breadcrumb [])`,
        ).to.equal(true);
      }
      expectNoSecrets(run);
    });

    it('syncs: only valid Singer messages on stdout, records fitting their schemas, ending with a STATE', async () => {
      const args = ['--config', file('config.json', config)];
      if (options.selectAll) {
        const discovered = await tap(...args, '--discover');
        expectOk(discovered, '--discover');
        const catalog = JSON.parse(discovered.stdout) as Catalog;
        for (const entry of catalog.streams) {
          const top = entry.metadata.find((m) => m.breadcrumb.length === 0);
          if (top) top.metadata.selected = true;
          else entry.metadata.push({ breadcrumb: [], metadata: { selected: true } });
        }
        args.push('--catalog', file('catalog.json', catalog));
      }
      const run = await tap(...args);
      expectOk(run, 'sync');
      const { messages, checker } = await checkMessages(run.stdout);
      expect(
        checker.summary().reduce((n, s) => n + s.records, 0),
        'RECORD messages',
      ).to.be.greaterThan(0);
      const last = messages.at(-1);
      expect(last?.type, 'last message').to.equal('STATE');
      lastState = last?.type === 'STATE' ? last.value : undefined;
      expectNoSecrets(run);
    });

    it('resumes from the state it emitted', async () => {
      expect(lastState, 'a STATE from the first sync').to.not.equal(undefined);
      const run = await tap('--config', file('config.json', config), '--state', file('state.json', lastState));
      expectOk(run, 'resumed sync');
      const { messages } = await checkMessages(run.stdout);
      expect(messages.at(-1)?.type, 'last message').to.equal('STATE');
    });

    it('refuses a bad config with non-zero exit and an error listing the problems', async () => {
      const bad = options.badConfig ?? {
        config: Object.fromEntries(Object.entries(config).map(([key, value]) => [key, mistyped(value)])),
        problems: Object.keys(config),
      };
      expect(Object.keys(bad.config), 'the valid config has no settings to break: pass badConfig').to.not.be.empty;
      const run = await tap('--config', file('bad-config.json', bad.config));
      expect(run.code, 'exit code').to.not.equal(0);
      expect(run.stdout.trim(), 'stdout').to.equal('');
      for (const problem of bad.problems) expect(run.stderr, 'stderr').to.contain(problem);
    });
  });
}
