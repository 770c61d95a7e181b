import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * The runner-death rule, both sides of it. A target that reads its input from `observes run` sees end
 * of input both when the tap finished and when the runner died (SIGKILL included: the kernel closes
 * the pipe). Only the first may complete a load: a full refresh swapped in, a `replace_on_eof` stream
 * replaced, a period's old files deleted. So the runner opens a UNIX socket per child (in its private
 * temporary directory) and names it in {@link RUNNER_LINK_ENV}; the child connects at start. Before it
 * ends the child's input, the runner writes `complete` on the socket. A child whose input ended asks
 * {@link RunnerLink.inputComplete}: true once `complete` arrived, false when the socket closed without
 * it (the runner is gone). A child that loses the socket before `complete` stops at once (exit
 * {@link RUNNER_GONE_EXIT}) without completing anything: what it committed before stays committed.
 * Outside a runner (a plain shell pipe) there is no socket and end of input is the end.
 */

/** Environment variable holding the socket path of the runner that started this process. */
export const RUNNER_LINK_ENV = 'OBSERVES_RUNNER_LINK';

/** Exit code of a child that stopped because its runner is gone. */
export const RUNNER_GONE_EXIT = 75;

const COMPLETE = 'complete\n';

/** The runner's side of one child's link. */
export interface RunnerLinkServer {
  /** Environment to give the child. */
  env: Record<string, string>;
  /** Whether the child connected (programs that know nothing of the link never do). */
  readonly connected: boolean;
  /** Tells the child its input is complete; resolves once written (end the child's input after this). */
  inputComplete(): Promise<void>;
  /** Closes the socket (after the child exited). */
  close(): Promise<void>;
}

/** Listens on `path` (a new socket in a private directory) for one child. */
export async function listenRunnerLink(path: string): Promise<RunnerLinkServer> {
  const sockets = new Set<Socket>();
  let complete = false;
  let connected = false;
  const tell = (socket: Socket) => new Promise<void>((resolve) => socket.write(COMPLETE, () => resolve()));
  const server: Server = createServer((socket) => {
    connected = true;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
    if (complete) void tell(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    env: { [RUNNER_LINK_ENV]: path },
    get connected() {
      return connected;
    },
    async inputComplete() {
      complete = true;
      await Promise.all([...sockets].map(tell));
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A child's side of the link. */
export interface RunnerLink {
  /** Whether this process was started by a runner (else end of input is always the real end). */
  readonly underRunner: boolean;
  /** Whether the runner is gone before saying the input was complete. */
  readonly lost: boolean;
  /**
   * Call once the input ended: true when it really ended (or there is no runner), false when the
   * runner is gone (the default `onLost` exits before this resolves).
   */
  inputComplete(): Promise<boolean>;
}

/** Options of {@link connectRunnerLink}. */
export interface RunnerLinkOptions {
  /** Environment to read {@link RUNNER_LINK_ENV} from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Called when the runner is gone before the input was complete; default: say so on stderr and exit {@link RUNNER_GONE_EXIT}. */
  onLost?: (reason: string) => void;
}

function exitRunnerGone(reason: string): void {
  try {
    process.stderr.write(`observes run is gone (${reason}): stopping without completing the load\n`);
  } finally {
    process.exit(RUNNER_GONE_EXIT);
  }
}

/** Connects to the runner that started this process, if any. Call it first thing at start. */
export function connectRunnerLink(options: RunnerLinkOptions = {}): RunnerLink {
  const path = (options.env ?? process.env)[RUNNER_LINK_ENV];
  if (!path) return { underRunner: false, lost: false, inputComplete: async () => true };
  const onLost = options.onLost ?? exitRunnerGone;
  let complete = false;
  let lost = false;
  const waiting: Array<(complete: boolean) => void> = [];
  const settle = () => {
    for (const resolve of waiting.splice(0)) resolve(complete);
  };
  const socket = createConnection(path);
  // The link must not keep the process alive by itself; it is held only while inputComplete() waits.
  socket.unref();
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    received += text;
    if (!complete && received.includes(COMPLETE)) {
      complete = true;
      settle();
    }
  });
  const gone = (reason: string) => {
    if (complete || lost) return;
    lost = true;
    settle();
    onLost(reason);
  };
  socket.on('error', (error) => gone(error.message));
  socket.on('close', () => gone('its link closed'));
  return {
    underRunner: true,
    get lost() {
      return lost;
    },
    inputComplete() {
      if (complete || lost) return Promise.resolve(complete);
      socket.ref();
      return new Promise<boolean>((resolve) => waiting.push(resolve)).finally(() => socket.unref());
    },
  };
}
