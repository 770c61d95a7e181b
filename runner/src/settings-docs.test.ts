import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { setting, settingsDocs, settingsTable, withSettingsTable, workspaceDirs } from '@observes/protocol';
import { PIPELINE_SCHEMA } from './pipeline-schema.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

describe('settings docs: each README settings table is generated from its program declaration', () => {
  it('every package with a bin declares its settings, and its README table is current (else: npm run docs)', async () => {
    const docs = await settingsDocs(repo);
    const withBins = workspaceDirs(repo).filter((dir) => {
      try {
        return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin?: unknown }).bin !== undefined;
      } catch {
        return false;
      }
    });
    expect(docs.map((d) => relative(repo, d.dir))).to.include.members(withBins.map((dir) => relative(repo, dir)));
    for (const doc of docs) {
      const name = relative(repo, doc.readme);
      expect(doc.expected, `${name} has the settings table markers`).to.be.a('string');
      expect(doc.current, `${name}: the settings table is stale, run npm run docs`).to.equal(doc.expected);
    }
  });

  it('a README whose table differs from the declaration is stale', async () => {
    const runner = (await settingsDocs(repo)).find((d) => relative(repo, d.dir) === 'runner')!;
    const changed = setting.object({
      ...(PIPELINE_SCHEMA.properties as Record<string, never>),
      added: setting.string({ description: 'a key the README does not have yet' }),
    });
    const expected = withSettingsTable(runner.current, settingsTable(changed, undefined));
    expect(expected).to.not.equal(runner.current);
    expect(expected).to.contain('| `added` | string |  | a key the README does not have yet |');
    expect(withSettingsTable(runner.current, settingsTable(PIPELINE_SCHEMA, undefined))).to.equal(runner.current);
  });
});
