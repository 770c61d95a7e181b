/**
 * tap-zoho-crm: Zoho CRM modules through the Bulk Read API in two phases (prepare the jobs, then load them) and
 * users through the users API. The fake Zoho (accounts server and CRM API) for tests is at
 * `@observes/tap-zoho-crm/testing/fake-zoho` (kept out of this entry point: it needs dev-only packages).
 * @packageDocumentation
 */
export * from './config.js';
export * from './data-centers.js';
export * from './zoho-modules.js';
export * from './field-schema.js';
export * from './csv-value.js';
export * from './prepared-state.js';
export * from './bulk-read-api.js';
export * from './credit-meter.js';
export * from './zoho-auth.js';
export * from './zoho-client.js';
export * from './export-follower.js';
export * from './export-reader.js';
export * from './prepare-phase.js';
export * from './load-phase.js';
