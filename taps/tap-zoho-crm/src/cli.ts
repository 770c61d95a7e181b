import { readFileSync } from 'node:fs';
import { applySelection, type Catalog } from '@observes/catalogs';
import { MessageWriter, parseJsonLossless } from '@observes/protocol';
import { packageVersion, standaloneTapCli } from '@observes/tap-sdk/standalone-cli';
import { configSchema, loadZohoConfig } from './config.js';
import { discoverCatalog } from './discover-catalog.js';
import { runLoad } from './load-phase.js';
import { runPrepare } from './prepare-phase.js';
import { createSession, logCost } from './zoho-session.js';

const version = packageVersion(new URL('../package.json', import.meta.url));

function readJsonFile(path: string, what: string): unknown {
  try {
    return parseJsonLossless(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the ${what} file ${path}: ${(error as Error).message}`);
  }
}

/** The session and the catalog's selection of a run. */
function setup(args: { config?: string; catalog?: string; properties?: string }) {
  const session = createSession(loadZohoConfig(args.config));
  const catalogPath = args.catalog ?? args.properties;
  const selection = catalogPath ? applySelection(readJsonFile(catalogPath, 'catalog') as Catalog) : undefined;
  return { session, selection };
}

/** Exit codes: 0 success, 1 failure (bad config or state, refused credentials, a module not loaded), 2 usage error. */
await standaloneTapCli({
  name: 'tap-zoho-crm',
  version,
  about: {
    description: 'Zoho CRM modules through the Bulk Read API, in two phases: prepare (create the bulk read jobs) and load (download and emit them), plus users',
    settings: configSchema,
    capabilities: ['discover', 'catalog', 'state', 'about'],
  },
})
  .usage(
    [
      '$0 prepare --config config.json [--state state.json]   create the bulk read jobs; prints one STATE holding them',
      '$0 --config config.json [--state state.json]           load: wait for the jobs, download, emit SCHEMA/RECORD/ACTIVATE_VERSION/STATE',
      '$0 --config config.json --discover                      print the catalog (schemas from the fields metadata)',
      '',
      'Settings may also come from TAP_ZOHO_CRM_<SETTING> variables (TAP_ZOHO_CRM_REFRESH_TOKEN...).',
    ].join('\n'),
  )
  .option('config', { type: 'string', describe: 'JSON config file (settings may also come from TAP_ZOHO_CRM_<SETTING>)' })
  .option('state', { type: 'string', describe: 'state file: the prepared jobs and the table versions of earlier loads' })
  .option('catalog', { type: 'string', describe: 'catalog file: only its selected streams and fields are extracted' })
  .option('properties', { type: 'string', describe: 'older name of --catalog', hidden: true })
  .option('discover', { type: 'boolean', default: false, describe: 'print the catalog and exit' })
  .command(
    'prepare',
    "Prepare phase: read each module's fields and create its bulk read job; print one STATE holding the jobs",
    (y) => y,
    async (args) => {
      const { session, selection } = setup(args);
      const outcome = await runPrepare(session, args.state ? readJsonFile(args.state, 'state') : undefined, selection);
      const writer = new MessageWriter(process.stdout);
      await writer.write({ type: 'STATE', value: outcome.state });
      await writer.end();
      logCost(session, 'prepare');
    },
  )
  .command(
    '$0',
    false,
    () => {},
    async (args) => {
      const { session, selection } = setup(args);
      if (args.discover) {
        process.stdout.write(JSON.stringify(await discoverCatalog(session), null, 2) + '\n');
        return;
      }
      const outcome = await runLoad(session, { state: args.state ? readJsonFile(args.state, 'state') : undefined, selection, out: process.stdout, version });
      logCost(session, 'load');
      if (outcome.failed.length > 0) {
        // After the last STATE: every module that did load is in it; these are exported again next run.
        throw new Error(`${outcome.failed.length} module(s) not loaded: ${outcome.failed.map((f) => `${f.module} (${f.problem})`).join('; ')}`);
      }
    },
  )
  .parseAsync();
