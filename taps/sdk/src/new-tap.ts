/**
 * `npm run new:tap -- <name>`: scaffolds `taps/tap-<name>` from `taps/tap-example`, ready to build and test.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { scaffoldTap } from './scaffold-tap.js';

const defaultRoot = fileURLToPath(new URL('../../..', import.meta.url));

try {
  const args = await yargs(hideBin(process.argv))
    .scriptName('npm run new:tap --')
    .usage('$0 <name>\n\nScaffolds taps/tap-<name> and catalogs/tap-<name> from the example tap.')
    .command('$0 <name>', 'scaffold a tap', (y) =>
      y.positional('name', { type: 'string', demandOption: true, describe: 'short kebab-case name, e.g. acme-crm' }),
    )
    .option('root', { type: 'string', default: defaultRoot, describe: 'repository root' })
    .option('description', { type: 'string', describe: 'what the tap reads (default: Singer tap for <Name>)' })
    .strict()
    .help()
    .parseAsync();
  const result = await scaffoldTap({ name: args.name as string, root: args.root, description: args.description });
  const rel = (p: string) => path.relative(process.cwd(), p) || '.';
  process.stderr.write(
    [
      `created ${result.files.length} files:`,
      ...result.files.map((f) => `  ${f}`),
      '',
      'next steps:',
      '  npm install                                   # links the new workspace and its bin',
      `  npx tsc -b ${rel(result.packageDir)}`,
      `  npx mocha --config .mocharc.json '${rel(result.packageDir)}/dist/**/*.test.js'`,
      `  then: edit the schemas in ${rel(result.catalogDir)}/, run npm run gen:types, and replace the streams in src/tap.ts`,
      '',
    ].join('\n'),
  );
} catch (error) {
  process.stderr.write(`new:tap: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
