import type { AddressInfo } from 'node:net';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** A running in-process, in-memory dynalite (DynamoDB API). */
export interface DynaliteServer {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Client for {@link endpoint} with dummy credentials. */
  client: DynamoDBClient;
  /** Plain client settings for a tap's config (endpoint, region, dummy credentials). */
  clientConfig: DynamoDBClientConfig & { endpoint: string; region: string };
  /** Stops the server and destroys the client. */
  stop(): Promise<void>;
}

/** Starts dynalite in memory on 127.0.0.1 with a random port; tables become ACTIVE immediately. */
export async function startDynalite(): Promise<DynaliteServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientConfig = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'dynalite', secretAccessKey: 'dynalite' },
  };
  const client = new DynamoDBClient(clientConfig);
  return {
    endpoint,
    client,
    clientConfig,
    async stop() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
