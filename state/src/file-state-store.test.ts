import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ExactNumber, isExactNumber } from '@observes/protocol';
import { FileStateStore } from './file-state-store.js';
import { defaultStateUrl, openStateStore } from './open-state-store.js';
import { versionsToPrune, type StateVersion } from './state-store.js';

describe('FileStateStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-state-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads undefined before the first write, then what was written, exact numbers included', async () => {
    const store = openStateStore(join(dir, 'p.json'));
    expect(await store.read()).to.equal(undefined);
    await store.write({ bookmarks: { jobs: { id: new ExactNumber('123456789012345678901234567890') } } });
    const value = (await new FileStateStore(join(dir, 'p.json')).read()) as { bookmarks: { jobs: { id: unknown } } };
    expect(isExactNumber(value.bookmarks.jobs.id) && value.bookmarks.jobs.id.value).to.equal('123456789012345678901234567890');
  });

  it('replaces the file by rename, leaving no temporary files, mode 0600', async () => {
    const store = openStateStore(`file://${dir}/deep/p.json`);
    for (let i = 0; i < 5; i++) await store.write({ n: i }, { origin: 'target', sequence: 10 + i, runId: 'r1' });
    expect(await readdir(join(dir, 'deep'))).to.deep.equal(['p.json']);
    expect(JSON.parse(await readFile(join(dir, 'deep/p.json'), 'utf8'))).to.deep.include({
      observes_state: 1,
      sequence: 14,
      origin: 'target',
      run_id: 'r1',
      value: { n: 4 },
    });
    expect((await stat(join(dir, 'deep/p.json'))).mode & 0o777).to.equal(0o600);
  });

  it('records a sequence with each value: given, or one more than the current; writes by hand are pending', async () => {
    const store = new FileStateStore(join(dir, 'p.json'));
    expect(await store.write({ a: 1 }, { origin: 'target', sequence: 7, runId: 'r1' })).to.deep.include({ sequence: 7, origin: 'target', runId: 'r1' });
    const byHand = await new FileStateStore(join(dir, 'p.json')).write({ a: 2 });
    expect(byHand).to.deep.include({ sequence: 8, origin: 'operator', pending: true, value: { a: 2 } });
    await new FileStateStore(join(dir, 'p.json')).clear();
    expect(await store.readRecord()).to.deep.include({ sequence: 9, cleared: true, pending: true });
    expect(await store.read()).to.equal(undefined);
  });

  it('reads a state file written before records as sequence 0 (legacy), and keeps it in the history on the next write', async () => {
    await writeFile(join(dir, 'old.json'), '{"bookmarks":{"jobs":{"id":5}}}\n');
    const store = new FileStateStore(join(dir, 'old.json'));
    expect(await store.readRecord()).to.deep.equal({ value: { bookmarks: { jobs: { id: 5 } } }, sequence: 0, origin: 'legacy' });
    await store.write({ bookmarks: { jobs: { id: 6 } } }, { origin: 'target', sequence: 1, runId: 'r2' });
    const [version] = await store.history();
    expect(version).to.deep.include({ sequence: 0, origin: 'legacy' });
    expect(await store.readVersion(version.id)).to.deep.equal({ bookmarks: { jobs: { id: 5 } } });
  });

  it('keeps the value before each run and before each clear in the history, naming the run that wrote it', async () => {
    const first = new FileStateStore(join(dir, 'p.json'));
    await first.write({ n: 1 }, { origin: 'target', sequence: 1, runId: 'run-a' });
    await first.write({ n: 2 }, { origin: 'target', sequence: 2, runId: 'run-a' });
    expect(await first.history()).to.deep.equal([]);
    const second = new FileStateStore(join(dir, 'p.json'));
    await second.write({ n: 3 }, { origin: 'runner', sequence: 3, runId: 'run-b' });
    await second.clear();
    expect(await second.read()).to.equal(undefined);
    const history = await second.history();
    expect(history.map((v) => [v.sequence, v.origin, v.runId])).to.deep.equal([
      [3, 'runner', 'run-b'],
      [2, 'target', 'run-a'],
    ]);
    expect(await second.readVersion(history[0].id)).to.deep.equal({ n: 3 });
    expect(await second.readVersion(history[1].id)).to.deep.equal({ n: 2 });
    expect(history[0].time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(((await second.readVersion('../p').catch((e: Error) => e)) as Error).message).to.match(/bad history id/);
  });

  it('prunes the history to the newest N versions when it archives', async () => {
    for (let run = 1; run <= 6; run++)
      await new FileStateStore(join(dir, 'p.json'), { versions: 3 }).write({ run }, { origin: 'target', sequence: run, runId: `run-${run}` });
    const history = await new FileStateStore(join(dir, 'p.json')).history();
    expect(history.map((v) => v.runId)).to.deep.equal(['run-5', 'run-4', 'run-3']);
  });

  it('names a corrupt state file in its error', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"half":');
    const error = await openStateStore(path)
      .read()
      .catch((e: Error) => e);
    expect((error as Error).message).to.contain(`state at file://${path} is not valid JSON`);
  });

  it('derives the default URL from the pipeline name and rejects unsafe names', () => {
    expect(defaultStateUrl('gitlab', '/srv')).to.equal('file:///srv/.observes/state/gitlab.json');
    expect(() => defaultStateUrl('../etc/passwd', '/srv')).to.throw(/may only hold/);
    expect(() => openStateStore('ftp://x/y')).to.throw(/unsupported state URL/);
  });
});

describe('versionsToPrune', () => {
  const day = 86_400_000;
  const now = Date.parse('2026-12-01T00:00:00.000Z');
  const version = (daysAgo: number): StateVersion => {
    const time = new Date(now - daysAgo * day).toISOString();
    return { id: `${time.replace(/:/g, '-')}~1~target~r`, time, bytes: 10 };
  };
  it('keeps the newest N and what is younger than the age limit, and always the newest one', () => {
    const versions = [0, 1, 2, 3, 40, 50].map(version);
    expect(versionsToPrune(versions, { versions: 4, days: 30 }, now).map((v) => v.time)).to.deep.equal([version(40).time, version(50).time]);
    expect(versionsToPrune(versions, { versions: 2, days: 365 }, now)).to.have.length(4);
    expect(versionsToPrune([version(400)], { versions: 1, days: 1 }, now)).to.deep.equal([]);
  });
});
