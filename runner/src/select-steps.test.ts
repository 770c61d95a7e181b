import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipeline } from './pipeline-config.js';
import { selectSteps } from './step-selection.js';

describe('selectSteps (observes run --step)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-steps-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const pipeline = async (text: string) => {
    const file = join(dir, 'p.yaml');
    await writeFile(file, text);
    return loadPipeline(file);
  };

  it('keeps only the named steps, in the file order, with their own state', async () => {
    const p = await pipeline(
      [
        'name: p',
        'tap: {command: node}',
        'target: {command: node}',
        'state: file:///tmp/p.json',
        'steps:',
        '  - {name: prepare}',
        '  - {name: check, job: {command: node}}',
        '  - {name: load}',
      ].join('\n'),
    );
    expect(selectSteps(p, ['load', 'prepare']).phases.map((ph) => [ph.name, ph.units[0].stateUrl])).to.deep.equal([
      ['prepare', 'file:///tmp/p.prepare.json'],
      ['load', 'file:///tmp/p.load.json'],
    ]);
    expect(selectSteps(p, []).phases).to.have.length(3);
  });

  it('refuses a step the pipeline does not have, naming the ones it has', async () => {
    const p = await pipeline(['name: p', 'tap: {command: node}', 'target: {command: node}', 'steps:', '  - {name: prepare}'].join('\n'));
    expect(() => selectSteps(p, ['lod'])).to.throw(/no step "lod"; its steps: prepare/);
    const simple = await pipeline(['name: p', 'tap: {command: node}', 'target: {command: node}'].join('\n'));
    expect(() => selectSteps(simple, ['load'])).to.throw(/its steps: none/);
  });
});
