import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as handlers and the request log see it. */
export interface FakeRequest {
  /** Number of this request on the server, from 1. */
  number: number;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query parameters (the last value of a repeated one). */
  query: Record<string, string>;
  /** `:name` segments of the matched route. */
  params: Record<string, string>;
  /** Lowercase header names, as node gives them. */
  headers: IncomingHttpHeaders;
  /** Request body as text. */
  body: string;
  /** Absolute URL of the request on the fake server. */
  url: URL;
}

/** What a handler answers. */
export interface FakeResponse {
  /** HTTP status, 200 when absent. */
  status?: number;
  headers?: Record<string, string>;
  /** Sent as is when a string or Buffer, else JSON-encoded with `content-type: application/json`. */
  body?: unknown;
}

/** Answers one request. */
export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/**
 * Wraps request handling: can answer itself (401, 429, 5xx…) or call `next` and adjust the answer.
 * Behaviours run in the order given, outermost first, before the route is matched.
 */
export type FakeBehaviour = (request: FakeRequest, next: () => Promise<FakeResponse>) => Promise<FakeResponse>;

/** One route of the fake API. */
export interface FakeRoute {
  /** HTTP method, `GET` when absent. */
  method?: string;
  /** Exact path, with `:name` segments capturing into {@link FakeRequest.params} (e.g. `/projects/:id/jobs`). */
  path: string;
  handler: FakeHandler;
  /** Behaviours for this route only, run after the server-wide ones. */
  behaviours?: FakeBehaviour[];
}

/** Options of {@link startFakeApi}. */
export interface FakeApiOptions {
  routes: FakeRoute[];
  /** Behaviours for every request (auth, rate limits, failures, delays). */
  behaviours?: FakeBehaviour[];
}

/** A logged request and the status it got. */
export interface LoggedRequest extends FakeRequest {
  status: number;
}

/** A running fake API. */
export interface FakeApi {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /** Every request received, in order, with the status it was answered with. */
  requests: LoggedRequest[];
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Starts a local HTTP server on 127.0.0.1 (random port) answering the given routes. Unknown routes get 404. */
export async function startFakeApi(options: FakeApiOptions): Promise<FakeApi> {
  const routes = options.routes.map((route) => ({ ...route, method: (route.method ?? 'GET').toUpperCase(), pattern: routePattern(route.path) }));
  const requests: LoggedRequest[] = [];
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      const request: FakeRequest = {
        number: ++count,
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        params: {},
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        url,
      };
      const route = async (): Promise<FakeResponse> => {
        for (const candidate of routes) {
          const match = candidate.method === request.method ? candidate.pattern.exec(request.path) : null;
          if (match) {
            request.params = Object.fromEntries(Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
            return chain(candidate.behaviours ?? [], request, async () => candidate.handler(request));
          }
        }
        return { status: 404, body: { message: '404 Not Found' } };
      };
      chain(options.behaviours ?? [], request, route)
        .catch((error: unknown) => ({ status: 500, body: { message: String(error) } }))
        .then((response) => {
          requests.push({ ...request, status: response.status ?? 200 });
          send(res, response);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function chain(behaviours: FakeBehaviour[], request: FakeRequest, last: () => Promise<FakeResponse>): Promise<FakeResponse> {
  const at = (index: number): Promise<FakeResponse> => (index === behaviours.length ? last() : behaviours[index](request, () => at(index + 1)));
  return at(0);
}

function routePattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? `(?<${segment.slice(1)}>[^/]+)` : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

function send(res: ServerResponse, response: FakeResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let body: string | Buffer = '';
  if (typeof response.body === 'string' || Buffer.isBuffer(response.body)) {
    body = response.body;
  } else if (response.body !== undefined) {
    body = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json';
  }
  res.writeHead(response.status ?? 200, headers);
  res.end(body);
}
