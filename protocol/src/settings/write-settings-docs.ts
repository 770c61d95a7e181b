import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTINGS_TABLE_MARKERS } from './settings-docs.js';
import { settingsDocs } from './settings-docs-files.js';

/**
 * `npm run docs`: writes each package README's settings table from the package's settings declaration
 * (between the settings markers). With `--check`, changes nothing and exits 1 naming the stale READMEs.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const check = process.argv.includes('--check');
let failed = false;
for (const doc of await settingsDocs(root)) {
  const name = relative(root, doc.readme);
  if (doc.expected === undefined) {
    process.stderr.write(`${name}: no settings table markers (${SETTINGS_TABLE_MARKERS.start} ... ${SETTINGS_TABLE_MARKERS.end})\n`);
    failed = true;
  } else if (doc.expected !== doc.current) {
    if (check) {
      process.stderr.write(`${name}: settings table is stale (run npm run docs)\n`);
      failed = true;
    } else {
      writeFileSync(doc.readme, doc.expected);
      process.stderr.write(`${name}: settings table written\n`);
    }
  }
}
process.exitCode = failed ? 1 : 0;
