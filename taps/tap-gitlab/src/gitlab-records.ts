import type { JsonRecord } from '@observes/protocol';
import type { CommitsRecord, JobsRecord, MembersRecord, PipelinesRecord, ProjectsRecord } from '@observes/catalogs/generated/tap-gitlab';

/**
 * A GitLab API object as the tap reads it: the fields its stream's schema declares, typed by the record type
 * `npm run gen:types` generates from `catalogs/tap-gitlab/*.json` (so a schema change shows in the code that reads
 * the field), less the fields the tap adds itself, and whatever else GitLab sends (kept in the record as it comes).
 */
export type GitlabObject<T, Added extends keyof T = never> = Omit<T, Added> & JsonRecord;

/** A project (GET /projects/:id, /groups/:id/projects). */
export type GitlabProject = GitlabObject<ProjectsRecord>;
/** A job (GET /projects/:id/jobs); `project_id` is the tap's. */
export type GitlabJob = GitlabObject<JobsRecord, 'project_id'>;
/** A member (GET /projects/:id/members, /members/all); `project_id`, `membership` and `direct_access_level` are the tap's. */
export type GitlabMember = GitlabObject<MembersRecord, 'project_id' | 'membership' | 'direct_access_level'>;
/** A commit (GET /projects/:id/repository/commits); `project_id` is the tap's. */
export type GitlabCommit = GitlabObject<CommitsRecord, 'project_id'>;
/** A pipeline (GET /projects/:id/pipelines); `project_id` is GitLab's own here. */
export type GitlabPipeline = GitlabObject<PipelinesRecord>;
/**
 * What every listing walked by `updated_at` (issues, merge requests, pipelines) has: an id and when it last changed,
 * both required by each of those schemas.
 */
export type UpdatedObject = GitlabObject<Pick<PipelinesRecord, 'id' | 'updated_at'>>;
