import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running proxy. */
export interface FailingScanProxy {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Processes killed so far. */
  killed: number[];
  close(): Promise<void>;
}

/** The pid of the local process whose TCP socket has local port `port` (Linux `/proc`), if found. */
function pidOfLocalPort(port: number): number | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hex}`)) inodes.add(fields[9]);
    }
  }
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (socket && inodes.has(socket[1])) return Number(pid);
      } catch {
        // gone meanwhile
      }
    }
  }
  return undefined;
}

/**
 * An HTTP proxy in front of a DynamoDB stand-in (dynalite) that SIGKILLs the process scanning `table`'s
 * `segment` when it sends its `nth` Scan request (found by the request's source port), as if that Batch
 * array copy had been killed midway; requests are forwarded as they are, those of that segment after
 * `delayMs` (so that what reads the scan keeps pace with it). For tests of resuming a segment.
 */
export async function startFailingScanProxy(upstream: string, table: string, segment: number, nth: number, delayMs = 0): Promise<FailingScanProxy> {
  const target = new URL(upstream);
  let seen = 0;
  const proxy: FailingScanProxy = { endpoint: '', killed: [], close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const scan = String(req.headers['x-amz-target']).endsWith('.Scan')
        ? (JSON.parse(body.toString('utf8')) as { TableName?: string; Segment?: number })
        : undefined;
      const ofSegment = scan?.TableName === table && scan.Segment === segment;
      if (ofSegment && seen < nth) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (ofSegment && ++seen === nth) {
        const pid = pidOfLocalPort(req.socket.remotePort!);
        if (pid !== undefined && pid !== process.pid) {
          proxy.killed.push(pid);
          process.kill(pid, 'SIGKILL');
          return res.destroy();
        }
      }
      const forwarded = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => res.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
