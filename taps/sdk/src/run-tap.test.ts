import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JsonRecord, Message, RecordMessage, StateMessage } from '@observes/protocol';
import { defineStream, defineTap } from './tap-definition.js';
import { compareReplicationValues } from './bookmarks.js';
import { runTapCaptured } from './testing/run-tap-captured.js';

/** An in-memory source the test tap reads, changed between runs like a real API's data. */
interface Source {
  projects: JsonRecord[];
  events: JsonRecord[];
  issues: JsonRecord[];
  failOn?: string;
}

const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`;

function testTap(source: Source) {
  const projects = defineStream({
    name: 'projects',
    schema: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
    keyProperties: ['id'],
    async *records() {
      yield* source.projects;
    },
  });
  const events = defineStream({
    name: 'events',
    schema: { type: 'object', properties: { id: { type: 'integer' }, updated_at: { type: 'string' }, note: { type: 'string' } } },
    keyProperties: ['id'],
    replicationKey: 'updated_at',
    sortedByReplicationKey: true,
    async *records(ctx) {
      const since = ctx.bookmark ?? ctx.startDate;
      for (const event of source.events) {
        if (source.failOn === `event ${event.id}`) throw new Error('the API broke mid-stream');
        if (since === undefined || compareReplicationValues(event.updated_at as string, since) >= 0) yield event;
      }
    },
  });
  const issues = defineStream<Record<string, unknown>, { project_id: number }>({
    name: 'issues',
    schema: { type: 'object', properties: { id: { type: 'integer' }, project_id: { type: 'integer' }, updated_at: { type: 'string' } } },
    keyProperties: ['id'],
    replicationKey: 'updated_at',
    partitions: { parent: 'projects', partition: (project) => ({ project_id: project.id as number }) },
    async *records(ctx) {
      for (const issue of source.issues) {
        if (issue.project_id !== ctx.partition!.project_id) continue;
        if (ctx.bookmark === undefined || compareReplicationValues(issue.updated_at as string, ctx.bookmark) >= 0) yield issue;
      }
    },
  });
  return defineTap({
    name: 'test',
    version: '1.2.3',
    description: 'A test tap',
    configSchema: {
      type: 'object',
      properties: { api_url: { type: 'string' }, token: { type: 'string' }, start_date: { type: 'string' } },
      required: ['api_url', 'token'],
    },
    secrets: ['token'],
    streams: [projects, events, issues],
  });
}

function source(): Source {
  return {
    projects: [
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
    ],
    events: [1, 2, 3, 4, 5].map((d) => ({ id: d, updated_at: at(d), note: `e${d}` })),
    // Unsorted on purpose: the bookmark may only move when a partition completes.
    issues: [
      { id: 11, project_id: 1, updated_at: at(5) },
      { id: 12, project_id: 1, updated_at: at(2) },
      { id: 21, project_id: 2, updated_at: at(3) },
    ],
  };
}

function files(content: Record<string, unknown>): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdk-run-'));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(content)) writeFileSync((out[name] = path.join(dir, `${name}.json`)), JSON.stringify(value));
  return out;
}

const config = { api_url: 'http://127.0.0.1:1', token: 'test-secret-token-123' };
const records = (messages: Message[], stream: string) => messages.filter((m): m is RecordMessage => m.type === 'RECORD' && m.stream === stream);
const states = (messages: Message[]) => messages.filter((m): m is StateMessage => m.type === 'STATE');
const lastState = (messages: Message[]) => states(messages).at(-1)!.value as { bookmarks: Record<string, any> };

describe('runTap', () => {
  it('emits STATE only after the records it covers, checkpointing sorted streams', async () => {
    const f = files({ config });
    const run = await runTapCaptured(testTap(source()), ['--config', f.config, '--state-every', '2']);
    expect(run.code, run.stderr).to.equal(0);
    const seen: string[] = [];
    for (const message of run.messages) {
      if (message.type === 'RECORD' && message.stream === 'events') seen.push(message.record.updated_at as string);
      if (message.type === 'STATE') {
        const value = (message.value as { bookmarks: Record<string, any> }).bookmarks.events?.replication_key_value;
        // The bookmark never runs ahead of the records already written.
        if (value !== undefined) expect(seen).to.include(value);
      }
    }
    const eventStates = states(run.messages)
      .map((s) => (s.value as any).bookmarks.events?.replication_key_value)
      .filter(Boolean);
    expect([...new Set(eventStates)]).to.deep.equal([at(2), at(4), at(5)]);
  });

  it('stops checkpointing a stream declared sorted when a record comes out of order', async () => {
    const data = source();
    data.events = [1, 2, 4, 3, 5].map((d) => ({ id: d, updated_at: at(d), note: `e${d}` }));
    const f = files({ config });
    const run = await runTapCaptured(testTap(data), ['--config', f.config, '--state-every', '1']);
    expect(run.code, run.stderr).to.equal(0);
    const eventStates = states(run.messages)
      .map((s) => (s.value as any).bookmarks.events?.replication_key_value)
      .filter(Boolean);
    // Checkpoints after 1, 2 and 4; none after 3 (out of order); the final bookmark only at the end.
    expect([...new Set(eventStates)]).to.deep.equal([at(1), at(2), at(4), at(5)]);
    const afterThree = run.messages.slice(run.messages.findIndex((m) => m.type === 'RECORD' && m.record.id === 3));
    expect(afterThree[1]).to.deep.include({ type: 'RECORD' });
    expect(run.stderr).to.include('records are not sorted by updated_at');
  });

  it('keeps bookmarks per partition, advancing unsorted streams only when the partition completes', async () => {
    const data = source();
    const f = files({ config });
    const run = await runTapCaptured(testTap(data), ['--config', f.config]);
    expect(run.code, run.stderr).to.equal(0);
    const issueLines = run.messages.map((m, i) => ({ m, i }));
    const lastIssueOfProject1 = issueLines.filter(({ m }) => m.type === 'RECORD' && m.stream === 'issues' && m.record.project_id === 1).at(-1)!.i;
    const firstStateWithProject1 = issueLines.find(({ m }) => m.type === 'STATE' && (m.value as any).bookmarks.issues?.partitions?.['project_id=1'])!.i;
    expect(firstStateWithProject1).to.be.greaterThan(lastIssueOfProject1);
    expect(lastState(run.messages).bookmarks.issues).to.deep.equal({
      partitions: {
        'project_id=1': { replication_key: 'updated_at', replication_key_value: at(5) },
        'project_id=2': { replication_key: 'updated_at', replication_key_value: at(3) },
      },
    });

    // The differential rerun: only changed and new items (and those on the bookmark itself, at least once).
    data.issues.push({ id: 13, project_id: 1, updated_at: at(6) }, { id: 22, project_id: 2, updated_at: at(3) });
    data.events.push({ id: 6, updated_at: at(6), note: 'e6' });
    const state = files({ state: lastState(run.messages) });
    const rerun = await runTapCaptured(testTap(data), ['--config', f.config, '--state', state.state]);
    expect(rerun.code, rerun.stderr).to.equal(0);
    expect(records(rerun.messages, 'issues').map((m) => m.record.id)).to.deep.equal([11, 13, 21, 22]);
    expect(records(rerun.messages, 'events').map((m) => m.record.id)).to.deep.equal([5, 6]);
    expect(lastState(rerun.messages).bookmarks.issues.partitions['project_id=1'].replication_key_value).to.equal(at(6));
  });

  it('wraps full-table streams in ACTIVATE_VERSION and tags their records with the version', async () => {
    const f = files({ config });
    const env = { OBSERVES_FROZEN_TIME: '2026-02-03T04:05:06.789Z' };
    const run = await runTapCaptured(testTap(source()), ['--config', f.config], { env });
    const version = Date.parse(env.OBSERVES_FROZEN_TIME);
    const projectLines = run.messages.filter((m) => 'stream' in m && m.stream === 'projects').map((m) => m.type);
    expect(projectLines).to.deep.equal(['SCHEMA', 'ACTIVATE_VERSION', 'RECORD', 'RECORD', 'ACTIVATE_VERSION']);
    expect(records(run.messages, 'projects').map((r) => [r.version, r.time_extracted])).to.deep.equal([
      [version, env.OBSERVES_FROZEN_TIME],
      [version, env.OBSERVES_FROZEN_TIME],
    ]);
    expect(lastState(run.messages).bookmarks.projects).to.deep.equal({ version });

    // Later runs do not activate an empty version first: the old rows stay visible until the new load is complete.
    const state = files({ state: lastState(run.messages) });
    const rerun = await runTapCaptured(testTap(source()), ['--config', f.config, '--state', state.state]);
    expect(rerun.messages.filter((m) => 'stream' in m && m.stream === 'projects').map((m) => m.type)).to.deep.equal([
      'SCHEMA',
      'RECORD',
      'RECORD',
      'ACTIVATE_VERSION',
    ]);
  });

  it('syncs only what the catalog selects', async () => {
    const discover = await runTapCaptured(testTap(source()), ['--discover']);
    const catalog = JSON.parse(discover.stdout);
    expect(catalog.streams.map((s: any) => s.tap_stream_id)).to.deep.equal(['projects', 'events', 'issues']);
    for (const entry of catalog.streams) {
      const stream = entry.metadata.find((m: any) => m.breadcrumb.length === 0);
      stream.metadata.selected = entry.stream === 'events';
      // Deselect a field, and try to deselect the key (automatic fields cannot be).
      for (const m of entry.metadata) if (m.breadcrumb[1] === 'note' || m.breadcrumb[1] === 'id') m.metadata.selected = false;
    }
    const f = files({ config, catalog });
    const run = await runTapCaptured(testTap(source()), ['--config', f.config, '--catalog', f.catalog]);
    expect(run.code, run.stderr).to.equal(0);
    expect(new Set(run.messages.filter((m) => 'stream' in m).map((m) => (m as RecordMessage).stream))).to.deep.equal(new Set(['events']));
    const schema = run.messages.find((m) => m.type === 'SCHEMA')!;
    expect(Object.keys((schema as any).schema.properties)).to.deep.equal(['id', 'updated_at']);
    expect(records(run.messages, 'events')[0].record).to.deep.equal({ id: 1, updated_at: at(1) });
  });

  it('prints --about with settings, their environment variables and which are secret', async () => {
    const run = await runTapCaptured(testTap(source()), ['--about']);
    const about = JSON.parse(run.stdout);
    expect(about).to.include({ name: 'tap-test', version: '1.2.3', description: 'A test tap' });
    expect(about.settings.find((s: any) => s.name === 'token')).to.deep.include({ env: 'TAP_TEST_TOKEN', secret: true, required: true });
  });

  it('fails with every config error listed, exit 2 and no secret in the output', async () => {
    const f = files({ config: { token: config.token, api_url: 42 } });
    const run = await runTapCaptured(testTap(source()), ['--config', f.config], { env: {} });
    expect(run.code).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.include('/api_url: must be string');
    expect(run.stderr).not.to.include(config.token);
  });

  it('takes config from TAP_<NAME>_<SETTING> variables', async () => {
    const run = await runTapCaptured(testTap(source()), [], { env: { TAP_TEST_API_URL: 'http://x', TAP_TEST_TOKEN: 'from-env-token' } });
    expect(run.code, run.stderr).to.equal(0);
    expect(records(run.messages, 'events')).to.have.length(5);
  });

  it('fails a broken stream with exit 1, keeping the state of what was written', async () => {
    const data = source();
    data.failOn = 'event 4';
    const f = files({ config });
    const run = await runTapCaptured(testTap(data), ['--config', f.config, '--state-every', '1']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('the API broke mid-stream');
    expect(lastState(run.messages).bookmarks.events.replication_key_value).to.equal(at(3));
    expect(records(run.messages, 'issues')).to.have.length(0);
  });

  it('rejects unknown options (exit 2, a usage error)', async () => {
    const run = await runTapCaptured(testTap(source()), ['--confg', 'x.json']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/Unknown argument: confg/);
  });
});
