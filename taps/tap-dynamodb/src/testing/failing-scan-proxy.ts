import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running proxy. */
export interface FailingScanProxy {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Scan requests refused so far. */
  failed: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a DynamoDB stand-in (dynalite) that answers one `Scan` of `segment` —
 * its `nth` request — with a `ValidationException` (400, not retried), as if the scan had died
 * midway; every other request is forwarded as it is, those of `segment` after `delayMs` (so that
 * what reads the scan keeps pace with it). For tests of resuming a segment.
 */
export async function startFailingScanProxy(upstream: string, segment: number, nth: number, delayMs = 0): Promise<FailingScanProxy> {
  const target = new URL(upstream);
  let seen = 0;
  const proxy: FailingScanProxy = { endpoint: '', failed: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const ofSegment = String(req.headers['x-amz-target']).endsWith('.Scan') && (JSON.parse(body.toString('utf8')) as { Segment?: number }).Segment === segment;
      if (ofSegment && seen < nth) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (ofSegment && ++seen === nth) {
        proxy.failed++;
        const text = JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message: 'injected: the scan died midway' });
        return res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': String(Buffer.byteLength(text)) }).end(text);
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
