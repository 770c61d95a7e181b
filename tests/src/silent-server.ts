import { createServer, type Socket } from 'node:net';

/** A TCP server that accepts connections and never answers: what a hung warehouse, S3 or DynamoDB looks like. */
export interface SilentServer {
  port: number;
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** How many connections it accepted (the client did reach it). */
  connections(): number;
  close(): Promise<void>;
}

/** Starts a {@link SilentServer} on 127.0.0.1 and a random port. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => sockets.length,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sets placeholder AWS credentials (the SDK refuses to sign without any); returns what restores the environment. */
export function setTestAwsCredentials(): () => void {
  const saved = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test-key-id', AWS_SECRET_ACCESS_KEY: 'test-secret' });
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
