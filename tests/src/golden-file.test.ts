import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkGolden, GoldenMismatchError } from './golden-file.js';

describe('checkGolden', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'golden-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on the exact text and names the first differing line otherwise', () => {
    const file = join(dir, 'out.txt');
    writeFileSync(file, 'a\nb\nc\n');
    checkGolden(file, 'a\nb\nc\n', {});
    checkGolden(pathToFileURL(file), 'a\nb\nc\n', {});
    expect(() => checkGolden(file, 'a\nB\nc\n', {})).to.throw(GoldenMismatchError, /at line 2:\n {2}expected: b\n {2}actual: {3}B\n/);
    expect(() => checkGolden(file, 'a\nb\nc', {})).to.throw(GoldenMismatchError, /at line 4/);
    expect(() => checkGolden(file, 'a\nb\nc\n', { UPDATE_GOLDEN: '1' }), 'only OBSERVES_UPDATE_GOLDEN rewrites').to.not.throw();
    expect(() => checkGolden(file, 'x\n', { UPDATE_GOLDEN: '1' })).to.throw(GoldenMismatchError);
    expect(readFileSync(file, 'utf8')).to.equal('a\nb\nc\n');
  });

  it('refuses a missing file, and (re)writes the file with OBSERVES_UPDATE_GOLDEN=1', () => {
    const file = join(dir, 'sub', 'new.txt');
    expect(() => checkGolden(file, 'x\n', {})).to.throw(GoldenMismatchError, /does not exist; create it with OBSERVES_UPDATE_GOLDEN=1/);
    checkGolden(file, 'x\n', { OBSERVES_UPDATE_GOLDEN: '1' });
    expect(readFileSync(file, 'utf8')).to.equal('x\n');
    checkGolden(file, 'x\n', {});
  });
});
