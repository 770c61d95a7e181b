/** Timeouts of an AWS SDK client, in ms. */
export interface AwsTimeouts {
  /** To open the connection (default 10 s). */
  connectMs: number;
  /** Without a byte from the server, once the request is sent: headers or body (default 120 s). */
  idleMs: number;
}

/** The defaults of {@link awsClientDefaults}. */
export const AWS_TIMEOUTS: AwsTimeouts = { connectMs: 10_000, idleMs: 120_000 };

/**
 * Options every AWS SDK client of Observes takes (S3, DynamoDB): a connect timeout and an idle timeout
 * that **throw** (the SDK's `requestTimeout` only warns unless told to throw), so a server that accepts
 * the connection and never answers fails the call (retried by the SDK) instead of hanging the run. Also
 * turns off the SDK's Node.js version-support warning, which would otherwise print on every run.
 */
export function awsClientDefaults(timeouts: AwsTimeouts = AWS_TIMEOUTS): {
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
} {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return { requestHandler: { connectionTimeout: timeouts.connectMs, requestTimeout: timeouts.idleMs, throwOnRequestTimeout: true } };
}

/** The part of an AWS SDK client {@link nameTimeouts} needs. */
interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: { step: 'build'; name: string }): void };
}

/**
 * Makes a client's timeout errors say where and what: `S3 at 127.0.0.1:4568 did not answer GetObjectCommand
 * (after the SDK's retries): …`. Wraps the build step, so the message is set once the retries are spent.
 * @param service - what the endpoint is, for people (`S3`, `DynamoDB`)
 */
export function nameTimeouts<T extends MiddlewareClient>(client: T, service: string): T {
  const middleware = (next: (args: { request?: unknown }) => Promise<unknown>, context: { commandName?: string }) => async (args: { request?: unknown }) => {
    try {
      return await next(args);
    } catch (error) {
      const e = error as Error & { code?: string };
      if (e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT') {
        const request = (args.request ?? {}) as { hostname?: string; port?: number };
        const where = request.hostname ? `${request.hostname}${request.port ? `:${request.port}` : ''}` : 'its endpoint';
        e.message = `${service} at ${where} did not answer ${context.commandName ?? 'a request'} (after the SDK's retries): ${e.message}`;
      }
      throw e;
    }
  };
  client.middlewareStack.add(middleware, { step: 'build', name: 'observesNameTimeouts' });
  return client;
}
