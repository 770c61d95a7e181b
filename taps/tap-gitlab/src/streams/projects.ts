import { defineStream, loadSchema } from '@observes/tap-sdk';
import type { GitlabConfig } from '../config.js';
import { gitlabProjects } from '../gitlab-projects.js';

/** `projects`: the configured projects, full table (small, and GitLab has no reliable change filter for them). */
export const projectsStream = defineStream<GitlabConfig>({
  name: 'projects',
  schema: loadSchema('tap-gitlab', 'projects'),
  keyProperties: ['id'],
  async *records(ctx) {
    yield* await gitlabProjects(ctx);
  },
});
