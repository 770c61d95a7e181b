import { ConfigError } from '@observes/protocol';
import type { ServerQuery } from './dialects/dialect.js';
import { DIALECTS } from './dialects/registry.js';

/**
 * The dialect to speak to the server: the configured one if the server can run it, else the server's own
 * (the first of `DIALECTS` whose `identifies` accepts the server's `version()`).
 * @throws ConfigError naming the `dialect` setting when the configured dialect does not fit the server
 */
export async function serverDialect(query: ServerQuery, configured: string | undefined): Promise<string> {
  const version = String((await query('SELECT version() AS version'))[0]?.version ?? '');
  const server = Object.values(DIALECTS).find((d) => d.identifies(version))?.name ?? 'postgres';
  if (configured === undefined || configured === server) return server;
  const described = `${DIALECTS[server].server} (${version})`;
  const wanted = DIALECTS[configured];
  if (wanted?.runsOn && (await wanted.runsOn(query))) return configured;
  throw new ConfigError([
    `"dialect" is "${configured}" but the server is ${described}: set "dialect": "${server}", or leave "dialect" out to use the server's`,
  ]);
}
