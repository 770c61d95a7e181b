import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createPrivateDir, removeAbandonedPrivateDirs } from './private-dir.js';

describe("the runner's private directories", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'observes-private-dir-test-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const exited = () =>
    new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.on('close', () => resolve(child.pid!));
    });

  it('removes those of runners that are gone, and only those', async () => {
    const dead = await exited();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const deadDir = join(root, `observes-run-${dead}-abc123`);
      const liveDir = join(root, `observes-run-${sleeper.pid}-def456`);
      const other = join(root, 'observes-run-notapid');
      for (const dir of [deadDir, liveDir, other]) {
        await mkdir(dir);
        await writeFile(join(dir, 'target-config.json'), '{"password":"s3cret-value-1"}');
      }
      const own = await createPrivateDir(root);
      expect(own).to.match(new RegExp(`observes-run-${process.pid}-`));
      expect(await removeAbandonedPrivateDirs(root)).to.deep.equal([deadDir]);
      expect([deadDir, liveDir, other, own].map((dir) => existsSync(dir))).to.deep.equal([false, true, true, true]);
    } finally {
      sleeper.kill();
    }
  });
});
