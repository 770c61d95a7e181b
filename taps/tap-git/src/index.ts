/**
 * tap-git: the commits of git repositories as a Singer stream.
 * @packageDocumentation
 */
export { tap } from './tap.js';
export * from './config.js';
export * from './branch-bookmark.js';
export * from './git-log-parser.js';
export * from './git-process.js';
export * from './git-repository.js';
export * from './repositories.js';
export { commitsStream, configuredRepositories } from './streams/commits.js';
