import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepositories } from './repositories.js';
import { TestRepository } from './testing/test-repository.js';

describe('tap-git: repositories under repositories_dir', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-git-dirs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds work trees and bare mirrors, one folder per namespace (nested namespaces too), sorted', () => {
    const source = TestRepository.init(join(dir, 'source'));
    source.commit({ message: 'x' });
    const root = join(dir, 'root');
    TestRepository.init(join(root, 'zeta/app'));
    execFileSync('git', ['clone', '--quiet', '--mirror', source.path, join(root, 'acme/web.git')]);
    TestRepository.init(join(root, 'acme/platform/api'));
    mkdirSync(join(root, 'acme/.hidden/skip'), { recursive: true });
    expect(findRepositories(root).map((r) => `${r.namespace} ${r.repository} ${r.path.slice(root.length)}`)).to.deep.equal([
      'acme web /acme/web.git',
      'acme/platform api /acme/platform/api',
      'zeta app /zeta/app',
    ]);
  });

  it('refuses a repository without a namespace folder and two folders of one repository', () => {
    TestRepository.init(join(dir, 'flat/lonely'));
    expect(() => findRepositories(join(dir, 'flat'))).to.throw(/lonely lies directly in repositories_dir/);
    TestRepository.init(join(dir, 'twice/acme/web'));
    execFileSync('git', ['init', '--quiet', '--bare', join(dir, 'twice/acme/web.git')]);
    expect(() => findRepositories(join(dir, 'twice'))).to.throw(/acme\/web is both .*web and .*web\.git/);
    expect(() => findRepositories(join(dir, 'missing'))).to.throw(/is not a directory/);
  });
});
