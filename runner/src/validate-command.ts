import { createReadStream } from 'node:fs';
import type { CommandModule } from 'yargs';
import { countOf, formatTable } from './text-table.js';
import { validateStream, type ValidateStreamResult } from './validate-stream.js';

/** Arguments of `observes validate`. */
export interface ValidateArgs {
  /** Singer stream file; stdin when absent or `-`. */
  file?: string;
  /** Report every error instead of stopping at the first. */
  all: boolean;
  /** Longest accepted line in bytes. */
  'max-line-bytes'?: number;
}

/** The per-stream summary table `observes validate` prints. */
export function formatValidateSummary(result: ValidateStreamResult): string {
  const rows = result.streams.map((s) => [s.stream, s.records, s.schemas, s.versions, s.keyProperties.join(',') || '-']);
  const table = formatTable(['stream', 'records', 'schemas', 'versions', 'key'], rows, ['left', 'right', 'right', 'right', 'left']);
  const records = result.streams.reduce((sum, s) => sum + s.records, 0);
  return `${table}${countOf(result.streams.length, 'stream')}, ${countOf(records, 'record')}, ${countOf(result.states, 'state')}\n`;
}

/**
 * Validates a stream and prints the summary on stdout and the errors on stderr.
 * @returns the exit code: 0 for a valid stream, 1 otherwise
 */
export async function runValidate(
  args: ValidateArgs,
  io = { stdin: process.stdin as NodeJS.ReadableStream, stdout: process.stdout as NodeJS.WritableStream, stderr: process.stderr as NodeJS.WritableStream },
): Promise<number> {
  const input = args.file && args.file !== '-' ? createReadStream(args.file) : io.stdin;
  const result = await validateStream(input as AsyncIterable<Buffer>, { all: args.all, maxLineBytes: args['max-line-bytes'] });
  for (const error of result.errors) io.stderr.write(`${error.message}\n`);
  if (result.errors.length === 0 || args.all) io.stdout.write(formatValidateSummary(result));
  if (result.errors.length > 0) io.stderr.write(`invalid: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}\n`);
  return result.errors.length === 0 ? 0 : 1;
}

/** `observes validate [file]`: checks a Singer stream end to end (a contributor pipes a new tap into it). */
export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: 'validate [file]',
  describe: 'Check a Singer stream (file or stdin) and print a per-stream summary',
  builder: (yargs) =>
    yargs
      .positional('file', { type: 'string', describe: 'Singer JSON-lines file (default: stdin)' })
      .option('all', { type: 'boolean', default: false, describe: 'Report every error, not only the first' })
      .option('max-line-bytes', { type: 'number', describe: 'Longest accepted line in bytes (default 128 MiB)' }) as never,
  handler: async (args) => {
    process.exitCode = await runValidate(args);
  },
};
