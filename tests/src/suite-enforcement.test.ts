import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `src/**\/*.test.ts` files of a package. */
function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => join(dir, file));
}

/** Packages under `<group>/*` that ship an executable (`bin` in package.json), relative to the repo root. */
function executablePackages(group: string): string[] {
  return readdirSync(join(ROOT, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, group, entry.name, 'package.json')))
    .map((entry) => `${group}/${entry.name}`)
    .filter((dir) => (JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { bin?: unknown }).bin !== undefined)
    .sort();
}

/** Source without comments, so a commented-out call does not count. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** Executable packages of the group none of whose tests call the suite. */
function packagesWithoutSuite(group: string, call: string): string[] {
  return executablePackages(group).filter(
    (dir) => !testFiles(join(ROOT, dir, 'src')).some((file) => withoutComments(readFileSync(file, 'utf8')).includes(call)),
  );
}

describe('standard suites are mandatory', () => {
  it('finds the executable taps and targets', () => {
    expect(executablePackages('taps').length + executablePackages('targets').length).to.be.greaterThan(0);
  });

  it('every tap with a bin runs tapSuite( in one of its src/**/*.test.ts', () => {
    expect(packagesWithoutSuite('taps', 'tapSuite('), 'taps without tapSuite').to.deep.equal([]);
  });

  it('every target with a bin runs targetSuite( in one of its src/**/*.test.ts', () => {
    expect(packagesWithoutSuite('targets', 'targetSuite('), 'targets without targetSuite').to.deep.equal([]);
  });
});
