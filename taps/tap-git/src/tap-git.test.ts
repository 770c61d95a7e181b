import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tapSuite } from '@observes/testkit';
import { TestRepository } from './testing/test-repository.js';

let dir = '';

tapSuite({
  name: 'tap-git',
  bin: fileURLToPath(new URL('../bin/tap-git.js', import.meta.url)),
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'tap-git-suite-'));
    const repo = TestRepository.init(join(dir, 'acme/web'));
    repo.commit({ message: 'first' });
    repo.commit({ message: 'second' });
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
  config: () => ({ repositories_dir: dir }),
});
