/** One HTTP request as the transport sends it (URL absolute, body already serialized). */
export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the request (timeouts). */
  signal?: AbortSignal;
}

/** One HTTP response, fully read. */
export interface TransportResponse {
  status: number;
  statusText: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  text: string;
}

/** Sends a request and reads the whole response; throws on network errors. Record/replay swap it out. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** The real transport: Node's fetch (undici). */
export function fetchTransport(fetchImpl: typeof fetch = fetch): Transport {
  return async (request) => {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return { status: response.status, statusText: response.statusText, headers, text: await response.text() };
  };
}
