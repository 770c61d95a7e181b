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

/** The benchmark's streams: the 1 KB jobs stream and the smaller pair stream (see {@link writeStreams}). */
export type StreamKind = 'jobs' | 'pair';

/** Schema of a {@link StreamKind}. */
export function schemaOf(kind: StreamKind): JsonSchema {
  return kind === 'jobs' ? JOBS_SCHEMA : PAIR_SCHEMA;
}

/** One file {@link writeStreams} writes: the first `records` records, versioned with `version` (replace mode). */
export interface StreamFile {
  path: string;
  records: number;
  version?: number;
}

/**
 * Writes Singer streams of `kind` in one pass over the generated records: SCHEMA, RECORDs (every id once), a STATE
 * every 10,000 records, and, with `version`, versioned records and a final ACTIVATE_VERSION (replace mode). A file
 * of fewer records holds exactly the first records of a longer one, so each record is generated and serialized
 * once however many files there are (the bench writes four per stream: two sizes, two modes).
 */
export async function writeStreams(kind: StreamKind, files: StreamFile[]): Promise<void> {
  const [make, seed] = kind === 'jobs' ? [jobRecord, 42] : [pairRecord, 7];
  const random = prng(seed);
  const outputs = files.map((file) => ({
    ...file,
    out: createWriteStream(file.path),
    versionField: file.version === undefined ? '' : `,"version":${file.version}`,
  }));
  const write = async (out: (typeof outputs)[number]['out'], line: string) => {
    if (!out.write(line + '\n')) await once(out, 'drain');
  };
  const state = (position: number) => JSON.stringify({ type: 'STATE', value: { bookmarks: { jobs: { position } } } });
  const schema = JSON.stringify({ type: 'SCHEMA', stream: 'jobs', key_properties: ['id'], schema: schemaOf(kind) });
  for (const { out } of outputs) await write(out, schema);
  const most = Math.max(...files.map((f) => f.records));
  for (let i = 0; i < most; i++) {
    const record = JSON.stringify(make(i, random));
    for (const o of outputs) {
      if (i >= o.records) continue;
      await write(o.out, `{"type":"RECORD","stream":"jobs","record":${record}${o.versionField}}`);
      if ((i + 1) % 10000 === 0) await write(o.out, state(i + 1));
    }
  }
  for (const o of outputs) {
    if (o.version !== undefined) await write(o.out, JSON.stringify({ type: 'ACTIVATE_VERSION', stream: 'jobs', version: o.version }));
    await write(o.out, state(o.records));
    o.out.end();
  }
  await Promise.all(outputs.map((o) => once(o.out, 'finish')));
}
