import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { CommandModule } from 'yargs';
import { CliError } from './cli-error.js';
import { resolveCommand } from './resolve-command.js';

/** A job `observes job <name>` runs: the program (and leading arguments) it stands for. */
export interface JobProgram {
  /** Executable and its first arguments, resolved like a pipeline's commands (`node_modules/.bin`, then PATH). */
  argv: readonly string[];
  /** One line for `observes job --help`. */
  describe: string;
}

/**
 * The product's jobs. Each is its own program with its own settings (`<program> --help`); this table
 * only gives them one front door, so a pipeline step and a person type the same thing.
 */
export const JOBS: Readonly<Record<string, JobProgram>> = {
  'compute-bills': { argv: ['compute-bills'], describe: "CSV bills of the month's authors per group into the bills bucket" },
  'batch-stability': { argv: ['batch-stability'], describe: 'failed, stuck and overdue AWS Batch jobs per pipeline: table, JSON report, exit code, alert' },
  'cancel-stuck-jobs': { argv: ['tap-gitlab', 'cancel-stuck-jobs'], describe: 'cancel GitLab CI jobs stuck for hours (tap-gitlab cancel-stuck-jobs)' },
};

/**
 * Runs a job program with `args`, its stdio inherited (stdout stays the job's own: under
 * `observes run` it carries the STATE lines of a job step). SIGTERM and SIGINT are passed on, so a
 * Batch timeout stops the job itself.
 * @returns the job's exit code (128 + signal number when it was killed)
 */
export async function runJobProgram(job: JobProgram, args: readonly string[], baseDir = process.cwd()): Promise<number> {
  const [command, ...lead] = job.argv;
  const executable = resolveCommand(command, baseDir);
  const child = spawn(executable, [...lead, ...args], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
  const onTerm = forward('SIGTERM');
  const onInt = forward('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  }
}

/** Arguments of `observes job`. */
export interface JobArgs {
  name: string;
  args: string[];
}

/** `observes job <name> [args...]`: everything after the name goes to the job unchanged (`--help` too). */
export const jobCommand: CommandModule<object, JobArgs> = {
  command: 'job <name> [args..]',
  describe: `run a job: ${Object.keys(JOBS).join(', ')} (observes job <name> --help for its settings)`,
  builder: (yargs) =>
    yargs
      .positional('name', { type: 'string', choices: Object.keys(JOBS), describe: 'the job', demandOption: true })
      .positional('args', { type: 'string', array: true, describe: 'arguments of the job', default: [] })
      // The job parses its own options: pass them through untouched, and let `--help` after the name reach it.
      .parserConfiguration({ 'unknown-options-as-args': true })
      .strict(false)
      .help(false),
  handler: async (args) => {
    // The raw words after the name: yargs would have parsed (and could have changed) them.
    const at = process.argv.findIndex((word, i) => i >= 2 && word === 'job' && process.argv[i + 1] === args.name);
    const passed = at === -1 ? args.args : process.argv.slice(at + 2);
    let code: number;
    try {
      code = await runJobProgram(JOBS[args.name], passed);
    } catch (error) {
      throw new CliError(`job ${args.name} failed`, 1, { cause: error });
    }
    process.exit(code);
  },
};
