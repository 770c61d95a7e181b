import { createServer, type Server, type Socket } from 'node:net';

/** What the fake answers to a simple query: rows of text columns, a bare command tag, or nothing ever. */
export type FakeAnswer = { rows: Array<Record<string, string>> } | { tag: string } | 'hang';

/** Options of {@link startFakePgServer}. */
export interface FakePgServerOptions {
  /** Accept TCP connections but never answer the startup message (a server that hangs at login). */
  hangAtLogin?: boolean;
  /** Answers by query text; unmatched queries get `{ tag: 'SET' }`. */
  answer?: (sql: string) => FakeAnswer;
}

/** A running fake. */
export interface FakePgServer {
  port: number;
  /** Queries received, in order. */
  queries: string[];
  close(): Promise<void>;
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const cstring = (s: string) => Buffer.from(`${s}\0`, 'utf8');
const READY = message('Z', Buffer.from('I'));

function answerBytes(answer: Exclude<FakeAnswer, 'hang'>): Buffer {
  if ('tag' in answer) return Buffer.concat([message('C', cstring(answer.tag)), READY]);
  const columns = Object.keys(answer.rows[0] ?? { '?column?': '' });
  // Every column is text (OID 25): enough for version() and lookups.
  const description = message(
    'T',
    Buffer.concat([int16(columns.length), ...columns.map((c) => Buffer.concat([cstring(c), int32(0), int16(0), int32(25), int16(-1), int32(-1), int16(0)]))]),
  );
  const rows = answer.rows.map((row) =>
    message('D', Buffer.concat([int16(columns.length), ...columns.map((c) => Buffer.concat([int32(Buffer.byteLength(row[c])), Buffer.from(row[c], 'utf8')]))])),
  );
  return Buffer.concat([description, ...rows, message('C', cstring(`SELECT ${answer.rows.length}`)), READY]);
}

/**
 * A fake PostgreSQL server speaking just enough of the wire protocol (v3, no TLS, trust login, simple
 * queries; see https://www.postgresql.org/docs/current/protocol-flow.html) to stand for a server that
 * hangs at login, one that stops answering queries, or Amazon Redshift's `version()`.
 */
export async function startFakePgServer(options: FakePgServerOptions = {}): Promise<FakePgServer> {
  const queries: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (options.hangAtLogin) return;
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
          buffer = buffer.subarray(buffer.readInt32BE(0));
          started = true;
          socket.write(Buffer.concat([message('R', int32(0)), READY])); // AuthenticationOk, ReadyForQuery
          continue;
        }
        if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
        const type = String.fromCharCode(buffer[0]);
        const body = buffer.subarray(5, 1 + buffer.readInt32BE(1));
        buffer = buffer.subarray(1 + buffer.readInt32BE(1));
        if (type === 'X') return void socket.end();
        if (type !== 'Q') continue;
        const sql = body.toString('utf8').replace(/\0$/, '');
        queries.push(sql);
        const answer = options.answer?.(sql) ?? { tag: 'SET' };
        if (answer !== 'hang') socket.write(answerBytes(answer));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    queries,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
