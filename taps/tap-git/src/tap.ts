import { defineTap } from '@observes/tap-sdk';
import { gitConfigSchema, type GitConfig } from './config.js';
import { commitsStream } from './streams/commits.js';

/** tap-git: the commits of local clones or mirrors, differential per repository and branch. */
export const tap = defineTap<GitConfig>({
  name: 'git',
  version: '0.1.0',
  description: 'Commits of git repositories (clones or mirrors, one folder per group), differential per repository and branch; history rewrites are re-walked',
  configSchema: gitConfigSchema,
  streams: [commitsStream],
});
