import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { split } from 'shlex';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { runDemo } from './demo-command.js';

describe('observes demo', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-demo-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('runs the bundled pipeline twice on the embedded warehouse; the second run is differential', async () => {
    let text = '';
    const out = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) });
    const code = await runDemo({ dir: join(dir, '.observes') }, out);
    expect(code, text).to.equal(0);
    const differential = /orders\s+(\d+)\s+(\d+)/.exec(text.slice(text.indexOf('differential')));
    expect(Number(differential![2])).to.be.lessThan(Number(differential![1]));
    expect(text)
      .to.match(/demo\.orders\s+11\n/)
      .and.to.match(/demo\.customers\s+9\n/)
      .and.to.match(/demo\.orders__lines\s+\d+/);
    const state = (
      JSON.parse(await readFile(join(dir, '.observes/state/demo.json'), 'utf8')) as { value: { bookmarks: { orders: { replication_key_value: string } } } }
    ).value;
    expect(state.bookmarks.orders.replication_key_value).to.equal('2024-03-11T16:30:00Z');

    // The command it suggests finds that state from anywhere.
    const suggested = split(/\(see it from any directory: (.*)\)/.exec(text)![1]);
    expect(suggested.slice(0, 2)).to.deep.equal(['npx', 'observes']);
    const bin = fileURLToPath(new URL('../bin/observes.js', import.meta.url));
    const shown = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [bin, ...suggested.slice(2)], { cwd: tmpdir() }, (e, stdout) => (e ? reject(e) : resolve(stdout))),
    );
    expect(JSON.parse(shown)).to.deep.equal(state);

    // The first run's start-of-version ACTIVATE_VERSION is no warning: the log holds no warning-like line.
    const log = (await readFile(join(dir, '.observes/demo.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; message: string });
    expect(log.filter((e) => e.level === 'warn' || e.level === 'error' || /no staged rows/.test(e.message))).to.deep.equal([]);
  });
});
