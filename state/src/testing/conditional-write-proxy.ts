import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** A running proxy. */
export interface ConditionalWriteProxy {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Conditional requests refused with 412, in order. */
  refused: Array<{ method: string; url: string; condition: string }>;
  close(): Promise<void>;
}

interface Upstream {
  host: string;
  port: string;
}

function send(
  upstream: Upstream,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body?: Buffer,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: upstream.host, port: upstream.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * An HTTP proxy in front of an S3 server that lacks conditional writes (s3rver), enforcing them as
 * Amazon S3 documents them: a `PUT` with `If-None-Match: *` fails with 412 PreconditionFailed when
 * the key exists; a `PUT` or `DELETE` with `If-Match: <ETag>` fails with 412 when the key's current
 * ETag differs or the key is absent (S3 answers 404 NoSuchKey for a DELETE of an absent key)
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html). Every write to a
 * key is serialized with the check, so two racing conditional writes cannot both pass.
 */
export async function startConditionalWriteProxy(
  upstreamUrl: string,
  credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
): Promise<ConditionalWriteProxy> {
  const target = new URL(upstreamUrl);
  const upstream = { host: target.hostname, port: target.port };
  // The check is a signed HEAD of its own (the client's signature covers only the client's request).
  const client = new S3Client({ endpoint: upstreamUrl, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1 });
  const currentEtag = async (path: string): Promise<string | undefined> => {
    const [bucket, ...key] = path.slice(1).split('/');
    try {
      return (await client.send(new HeadObjectCommand({ Bucket: decodeURIComponent(bucket), Key: key.map(decodeURIComponent).join('/') }))).ETag ?? '';
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  };
  const refused: ConditionalWriteProxy['refused'] = [];
  const queues = new Map<string, Promise<void>>();
  const serialized = async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const before = queues.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = before.then(() => mine);
    queues.set(key, tail);
    await before;
    try {
      return await work();
    } finally {
      done();
      if (queues.get(key) === tail) queues.delete(key);
    }
  };
  const fail = (res: ServerResponse, status: number, code: string, message: string) => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': String(Buffer.byteLength(xml)) }).end(xml);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    const headers: IncomingHttpHeaders = { ...req.headers, 'content-length': String(body.length) };
    const ifNoneMatch = headers['if-none-match'] as string | undefined;
    const ifMatch = headers['if-match'] as string | undefined;
    const forward = async () => {
      const answer = await send(upstream, method, url, headers, body);
      res.writeHead(answer.status, answer.headers).end(answer.body);
    };
    if (method !== 'PUT' && method !== 'DELETE') return forward();
    await serialized(path, async () => {
      if (ifNoneMatch === undefined && ifMatch === undefined) return forward();
      const etag = await currentEtag(path);
      const exists = etag !== undefined;
      if (ifNoneMatch === '*' && exists) {
        refused.push({ method, url, condition: 'If-None-Match: *' });
        return fail(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
      }
      if (ifMatch !== undefined && (!exists || (ifMatch !== '*' && ifMatch !== etag))) {
        refused.push({ method, url, condition: `If-Match: ${ifMatch}` });
        if (!exists && method === 'DELETE') return fail(res, 404, 'NoSuchKey', 'The specified key does not exist.');
        return fail(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
      }
      return forward();
    });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    refused,
    close: () => {
      client.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
