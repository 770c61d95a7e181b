import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { runValidate } from './validate-command.js';

/** The bundled example stream `observes validate` can be tried on. */
export const EXAMPLE_STREAM = fileURLToPath(new URL('../examples/streams/example.jsonl', import.meta.url));

/** `observes demo`: what `npm start` runs. */
export const demoCommand: CommandModule = {
  command: 'demo',
  describe: 'Run the bundled demo',
  handler: async () => {
    process.stdout.write(`Validating the bundled example stream ${EXAMPLE_STREAM}\n`);
    process.exitCode = await runValidate({ file: EXAMPLE_STREAM, all: false });
  },
};
