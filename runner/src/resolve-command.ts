import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `node_modules/.bin` directories from `dir` up to the filesystem root. */
function binDirs(dir: string): string[] {
  const dirs: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    dirs.push(join(current, 'node_modules', '.bin'));
    if (dirname(current) === current) return dirs;
  }
}

/** The runner's own install location: its workspace's `node_modules/.bin` hold the bundled taps and targets. */
const RUNNER_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * Resolves a command like a shell would, with npm's `.bin` directories first: a path (containing `/`)
 * resolves against `baseDir`; a bare name is looked up in `node_modules/.bin` from `baseDir` upwards,
 * then from the runner's own location upwards (so `tap-gitlab` is found wherever the pipeline file
 * lives), then on `PATH`.
 * @returns the absolute path of the executable
 * @throws when nothing executable is found, naming where it looked
 */
export function resolveCommand(command: string, baseDir: string, path = process.env.PATH ?? ''): string {
  if (command.includes('/')) {
    const full = isAbsolute(command) ? command : resolve(baseDir, command);
    if (isExecutable(full)) return full;
    throw new Error(`command ${command} is not an executable file (${full})`);
  }
  const candidates = [...binDirs(baseDir), ...binDirs(RUNNER_DIR), ...path.split(delimiter).filter(Boolean)];
  for (const dir of candidates) {
    const full = join(dir, command);
    if (isExecutable(full)) return full;
  }
  throw new Error(`command ${command} not found in node_modules/.bin or on PATH`);
}
