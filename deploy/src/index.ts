/**
 * Deployment tooling: the container image's application tree (`npm run image:stage`) and checks of
 * the Terraform in `infra/` that run without Terraform's providers.
 * @packageDocumentation
 */
export * from './terraform-module.js';
export * from './terraform-references.js';
export * from './terraform-console.js';
export * from './pipeline-usage.js';
export * from './infra-checks.js';
export * from './check-infra.js';
export * from './stage-image.js';
