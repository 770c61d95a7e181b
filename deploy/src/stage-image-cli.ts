/**
 * `npm run image:stage [-- --out .image]`: writes the container image's application tree (see
 * stage-image.ts) to a folder; the Dockerfile runs it too (`--out /stage`) and copies the folder to
 * /app. Needs the workspace built (`npm ci` compiles it).
 */
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { stageImage } from './stage-image.js';

const argv = yargs(hideBin(process.argv))
  .scriptName('image:stage')
  .usage("$0 [--out dir]\n\nAssembles the container image's application tree: compiled programs, production node_modules, pipeline files.")
  .option('out', { type: 'string', default: '.image', describe: 'Folder to write (emptied first)' })
  .option('root', { type: 'string', default: '.', describe: 'Repository root (built)' })
  .strict()
  .help()
  .parseSync();

try {
  const staged = await stageImage({ root: resolve(argv.root), out: resolve(argv.out) });
  process.stderr.write(
    `image:stage: ${argv.out}: ${staged.workspaces.length} workspaces, ${Object.keys(staged.bins).length} programs (${Object.keys(staged.bins).join(', ')}), ${staged.packages.length} production packages\n`,
  );
} catch (error) {
  process.stderr.write(`image:stage: ${(error as Error).message}\n`);
  process.exit(1);
}
