import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { JsonSchema } from '@observes/protocol';

/** Schema of the benchmark's GitLab-jobs-like stream: nested objects, a list of scalars and a list of objects. */
export const JOBS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    status: { type: 'string' },
    stage: { type: 'string' },
    name: { type: 'string' },
    ref: { type: 'string' },
    tag: { type: 'boolean' },
    coverage: { type: ['null', 'number'] },
    allow_failure: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
    started_at: { type: ['null', 'string'], format: 'date-time' },
    finished_at: { type: ['null', 'string'], format: 'date-time' },
    duration: { type: ['null', 'number'] },
    user: {
      type: 'object',
      properties: { id: { type: 'integer' }, username: { type: 'string' }, name: { type: 'string' }, state: { type: 'string' } },
    },
    commit: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        title: { type: 'string' },
        message: { type: 'string' },
        author_email: { type: 'string' },
        created_at: { type: 'string', format: 'date-time' },
      },
    },
    pipeline: { type: 'object', properties: { id: { type: 'integer' }, ref: { type: 'string' }, status: { type: 'string' } } },
    tag_list: { type: 'array', items: { type: 'string' } },
    artifacts: {
      type: 'array',
      items: { type: 'object', properties: { file_type: { type: 'string' }, size: { type: 'integer' }, filename: { type: 'string' } } },
    },
    web_url: { type: 'string' },
  },
};

/** Deterministic 32-bit PRNG (mulberry32): the same seed gives the same stream on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['fix', 'pipeline', 'cache', 'deploy', 'refactor', 'ügyfél', 'datos', 'tests', 'merge', 'branch', 'release', 'docs'];
const STATUSES = ['success', 'failed', 'running', 'canceled', 'pending'];
const STAGES = ['build', 'test', 'lint', 'deploy'];

/** One job record; about 300 bytes to 1 KB of JSON. */
export function jobRecord(id: number, random: () => number): Record<string, unknown> {
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const created = Date.UTC(2026, 0, 1) + id * 1000;
  const running = random() < 0.1;
  const words = 3 + Math.floor(random() * 60);
  return {
    id,
    status: running ? 'running' : pick(STATUSES),
    stage: pick(STAGES),
    name: `${pick(STAGES)}:${pick(WORDS)}`,
    ref: random() < 0.7 ? 'main' : `feature/${pick(WORDS)}-${id % 97}`,
    tag: random() < 0.05,
    coverage: random() < 0.5 ? null : Math.round(random() * 10000) / 100,
    allow_failure: random() < 0.1,
    created_at: new Date(created).toISOString(),
    started_at: new Date(created + 5000).toISOString(),
    finished_at: running ? null : new Date(created + 65000).toISOString(),
    duration: running ? null : Math.round(random() * 600000) / 1000,
    user: { id: id % 250, username: `user${id % 250}`, name: `User ${id % 250}`, state: 'active' },
    commit: {
      id: (id * 2654435761).toString(16).padStart(40, '0').slice(-40),
      title: `${pick(WORDS)} ${pick(WORDS)}`,
      message: Array.from({ length: words }, () => pick(WORDS)).join(' '),
      author_email: `dev${id % 40}@example.com`,
      created_at: new Date(created - 60000).toISOString(),
    },
    pipeline: { id: 100000 + (id >> 3), ref: 'main', status: pick(STATUSES) },
    tag_list: random() < 0.3 ? [] : ['docker', pick(['linux', 'arm64', 'gpu'])],
    artifacts: Array.from({ length: Math.floor(random() * 3) }, (_, i) => ({
      file_type: pick(['trace', 'archive', 'junit']),
      size: Math.floor(random() * 1e6),
      filename: `artifact-${i}.zip`,
    })),
    web_url: `https://gitlab.example.com/group/project/-/jobs/${id}`,
  };
}

/**
 * Writes a Singer stream of `records` job records to `path`: SCHEMA, RECORDs (ids repeat every
 * `distinctKeys` records so merge mode has duplicates to collapse), a STATE every 10,000 records,
 * and, with `version`, versioned records and a final ACTIVATE_VERSION (replace mode).
 */
export async function writeJobsStream(path: string, records: number, options: { version?: number; distinctKeys?: number } = {}): Promise<number> {
  const out = createWriteStream(path);
  const random = prng(42);
  const distinct = options.distinctKeys ?? records;
  const versionField = options.version === undefined ? '' : `,"version":${options.version}`;
  let bytes = 0;
  const write = async (line: string) => {
    bytes += Buffer.byteLength(line) + 1;
    if (!out.write(line + '\n')) await once(out, 'drain');
  };
  await write(JSON.stringify({ type: 'SCHEMA', stream: 'jobs', key_properties: ['id'], schema: JOBS_SCHEMA }));
  for (let i = 0; i < records; i++) {
    await write(`{"type":"RECORD","stream":"jobs","record":${JSON.stringify(jobRecord(i % distinct, random))}${versionField}}`);
    if ((i + 1) % 10000 === 0) await write(JSON.stringify({ type: 'STATE', value: { bookmarks: { jobs: { position: i + 1 } } } }));
  }
  if (options.version !== undefined) await write(JSON.stringify({ type: 'ACTIVATE_VERSION', stream: 'jobs', version: options.version }));
  await write(JSON.stringify({ type: 'STATE', value: { bookmarks: { jobs: { position: records } } } }));
  out.end();
  await once(out, 'finish');
  return bytes;
}

/**
 * Schema of the smaller GitLab-jobs-like stream: one nested object (flattened into columns) and a list of
 * exactly two objects, so every record becomes 3 rows (100k records → 300k rows), about 400 bytes a line.
 */
export const PAIR_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    status: { type: 'string' },
    stage: { type: 'string' },
    name: { type: 'string' },
    ref: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    duration: { type: ['null', 'number'] },
    user: { type: 'object', properties: { id: { type: 'integer' }, username: { type: 'string' } } },
    runners: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, description: { type: 'string' }, online: { type: 'boolean' } } },
    },
    web_url: { type: 'string' },
  },
};

/** One record of {@link PAIR_SCHEMA}. */
export function pairRecord(id: number, random: () => number): Record<string, unknown> {
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const created = Date.UTC(2026, 0, 1) + id * 1000;
  return {
    id,
    status: pick(STATUSES),
    stage: pick(STAGES),
    name: `${pick(STAGES)}:${pick(WORDS)}`,
    ref: random() < 0.7 ? 'main' : `feature/${pick(WORDS)}-${id % 97}`,
    created_at: new Date(created).toISOString(),
    duration: random() < 0.1 ? null : Math.round(random() * 600000) / 1000,
    user: { id: id % 250, username: `user${id % 250}` },
    runners: [0, 1].map((i) => ({ id: (id * 2 + i) % 1000, description: `runner ${pick(WORDS)} ${i}`, online: random() < 0.9 })),
    web_url: `https://gitlab.example.com/group/project/-/jobs/${id}`,
  };
}

/** The benchmark's streams: the 1 KB jobs stream and the smaller pair stream (see {@link writeStream}). */
export type StreamKind = 'jobs' | 'pair';

/** Schema of a {@link StreamKind}. */
export function schemaOf(kind: StreamKind): JsonSchema {
  return kind === 'jobs' ? JOBS_SCHEMA : PAIR_SCHEMA;
}

/** Writes a stream of `kind` (see {@link writeJobsStream}; the pair stream takes the same options). */
export async function writeStream(kind: StreamKind, path: string, records: number, options: { version?: number } = {}): Promise<number> {
  if (kind === 'jobs') return writeJobsStream(path, records, options);
  const out = createWriteStream(path);
  const random = prng(7);
  const versionField = options.version === undefined ? '' : `,"version":${options.version}`;
  let bytes = 0;
  const write = async (line: string) => {
    bytes += Buffer.byteLength(line) + 1;
    if (!out.write(line + '\n')) await once(out, 'drain');
  };
  await write(JSON.stringify({ type: 'SCHEMA', stream: 'jobs', key_properties: ['id'], schema: PAIR_SCHEMA }));
  for (let i = 0; i < records; i++) {
    await write(`{"type":"RECORD","stream":"jobs","record":${JSON.stringify(pairRecord(i, random))}${versionField}}`);
    if ((i + 1) % 10000 === 0) await write(JSON.stringify({ type: 'STATE', value: { bookmarks: { jobs: { position: i + 1 } } } }));
  }
  if (options.version !== undefined) await write(JSON.stringify({ type: 'ACTIVATE_VERSION', stream: 'jobs', version: options.version }));
  await write(JSON.stringify({ type: 'STATE', value: { bookmarks: { jobs: { position: records } } } }));
  out.end();
  await once(out, 'finish');
  return bytes;
}
