import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a {@link FaultyHttpProxy} does with one request instead of forwarding it faithfully. */
export type Fault =
  /** Answer 500 InternalError without forwarding. */
  | 'internal-error'
  /** Answer 503 SlowDown without forwarding. */
  | 'slow-down'
  /** Forward only the first half of the body (as if the upload was cut), then answer 200 as if all was well. */
  | 'truncate-body'
  /** Drop the connection without answering. */
  | 'reset';

/** Decides, per request, whether to inject a fault (undefined: forward faithfully). */
export type FaultPlan = (req: IncomingMessage, index: number) => Fault | undefined;

/** A running proxy. */
export interface FaultyHttpProxy {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Faults injected so far, in order. */
  injected: Array<{ method: string; url: string; fault: Fault }>;
  /** Replaces the fault plan. */
  setPlan(plan: FaultPlan): void;
  close(): Promise<void>;
}

const S3_ERRORS: Record<'internal-error' | 'slow-down', [number, string]> = {
  'internal-error': [500, 'InternalError'],
  'slow-down': [503, 'SlowDown'],
};

/**
 * An HTTP proxy in front of an S3 server that injects faults by plan: S3-style 500 and SlowDown
 * answers, cut uploads acknowledged as complete, dropped connections. For fault tests.
 */
export async function startFaultyHttpProxy(upstream: string, plan: FaultPlan = () => undefined): Promise<FaultyHttpProxy> {
  const target = new URL(upstream);
  const injected: FaultyHttpProxy['injected'] = [];
  let current = plan;
  let index = 0;
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const headers = { ...req.headers, 'content-length': String(body.length) };
    const upstreamReq = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
    });
    upstreamReq.on('error', () => res.destroy());
    upstreamReq.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const fault = current(req, index++);
      if (!fault) return forward(req, res, body);
      injected.push({ method: req.method ?? '', url: req.url ?? '', fault });
      if (fault === 'reset') return req.socket.destroy();
      if (fault === 'truncate-body') {
        // The upstream stores half the body; the client hears success with a made-up ETag.
        const half = body.subarray(0, Math.floor(body.length / 2));
        const headers: Record<string, string | string[] | undefined> = { ...req.headers, 'content-length': String(half.length) };
        delete headers['content-md5'];
        const upstreamReq = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (upstreamRes) => {
          upstreamRes.resume();
          upstreamRes.on('end', () => res.writeHead(200, { ETag: '"00000000000000000000000000000000"', 'Content-Length': '0' }).end());
        });
        upstreamReq.on('error', () => res.destroy());
        return upstreamReq.end(half);
      }
      const [status, code] = S3_ERRORS[fault];
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected ${code}</Message></Error>`;
      res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': String(Buffer.byteLength(xml)) }).end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    injected,
    setPlan: (next) => {
      current = next;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
