import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ExactNumber, isExactNumber } from '@observes/protocol';
import { FileStateStore } from './file-state-store.js';
import { defaultStateUrl, openStateStore } from './open-state-store.js';

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
    for (let i = 0; i < 5; i++) await store.write({ n: i });
    expect(await readdir(join(dir, 'deep'))).to.deep.equal(['p.json']);
    expect(await readFile(join(dir, 'deep/p.json'), 'utf8')).to.equal('{"n":4}\n');
    expect((await stat(join(dir, 'deep/p.json'))).mode & 0o777).to.equal(0o600);
  });

  it('keeps the value before each run and before each clear in the history', async () => {
    const first = new FileStateStore(join(dir, 'p.json'));
    await first.write({ n: 1 });
    await first.write({ n: 2 });
    expect(await first.history()).to.deep.equal([]);
    const second = new FileStateStore(join(dir, 'p.json'));
    await second.write({ n: 3 });
    await second.clear();
    expect(await second.read()).to.equal(undefined);
    const history = await second.history();
    expect(history).to.have.length(2);
    expect(await second.readVersion(history[0].id)).to.deep.equal({ n: 3 });
    expect(await second.readVersion(history[1].id)).to.deep.equal({ n: 2 });
    expect(history[0].time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('names a corrupt state file in its error', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"half":');
    const error = await openStateStore(path).read().catch((e: Error) => e);
    expect((error as Error).message).to.contain(`state at file://${path} is not valid JSON`);
  });

  it('derives the default URL from the pipeline name and rejects unsafe names', () => {
    expect(defaultStateUrl('gitlab', '/srv')).to.equal('file:///srv/.observes/state/gitlab.json');
    expect(() => defaultStateUrl('../etc/passwd', '/srv')).to.throw(/may only hold/);
    expect(() => openStateStore('ftp://x/y')).to.throw(/unsupported state URL/);
  });
});
