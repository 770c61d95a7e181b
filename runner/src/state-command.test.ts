import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const BIN = fileURLToPath(new URL('../bin/observes.js', import.meta.url));

describe('observes state', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-state-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const observes = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [BIN, 'state', ...args], { cwd: dir }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      ),
    );

  it('sets, shows, lists history and clears the default state of a pipeline name', async () => {
    expect((await observes('set', 'gitlab', '{"bookmarks":{"jobs":{"id":12345678901234567890}}}')).code).to.equal(0);
    expect((await observes('show', 'gitlab')).stdout).to.equal('{"bookmarks":{"jobs":{"id":12345678901234567890}}}\n');
    expect((await observes('set', 'gitlab', '{"bookmarks":{}}')).code).to.equal(0);
    const history = (await observes('history', 'gitlab')).stdout.split('\n');
    expect(history[0]).to.equal(`file://${dir}/.observes/state/gitlab.json`);
    expect(history[1].split(/\s{2,}/)).to.deep.equal(['id', 'replaced at', 'written by run', 'sequence', 'origin', 'bytes']);
    expect(history[3]).to.match(/~1~operator~- .* 1 +operator/);
    const id = history[3].split(/\s+/)[0];
    expect((await observes('show', 'gitlab', '--version', id)).stdout).to.contain('12345678901234567890');
    expect(JSON.parse((await observes('show', 'gitlab', '--record')).stdout)).to.deep.include({
      sequence: 2,
      origin: 'operator',
      pending: true,
      value: { bookmarks: {} },
    });
    expect((await observes('clear', 'gitlab')).code).to.equal(0);
    expect(await observes('show', 'gitlab')).to.deep.include({ code: 1, stdout: '' });
    expect((await observes('unlock', 'gitlab')).stderr).to.contain('no lock at');
  });

  it('finds the state of a pipeline file, and rejects a value that is not a JSON object', async () => {
    await writeFile(
      join(dir, 'p.yaml'),
      `name: p\ntap: {command: t, config: {token: "\${UNSET_TOKEN}"}}\ntarget: {command: u}\nstate: ${join(dir, 'custom.json')}\n`,
    );
    expect((await observes('set', 'p.yaml', '{"a":1}')).stderr).to.contain(`state saved to file://${join(dir, 'custom.json')}`);
    expect(await observes('set', 'p.yaml', '[1]')).to.deep.include({ code: 2 });
    const bad = await observes('set', 'p.yaml', '{oops');
    expect(bad.code).to.equal(2);
    expect(JSON.parse(bad.stderr))
      .to.include({ level: 'error', name: 'observes' })
      .and.have.property('message')
      .that.matches(/^not valid JSON/);
  });
});
