import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * What the pipeline files touch in AWS, read from the files alone: the S3 locations (state URLs,
 * `s3://` URLs anywhere, `{bucket, prefix}` settings of targets and staging) and the DynamoDB
 * tables tap-dynamodb scans. The IAM check compares the job role with it. `${VAR}` and
 * `{placeholder}` parts end a location (what follows is per run), so a prefix is what is fixed.
 */

/** A pipeline file, parsed with the config files it names. */
export interface PipelineFile {
  /** File name in the pipelines directory. */
  file: string;
  /** The pipeline as written. */
  spec: Record<string, unknown> & { name: string; steps?: Record<string, unknown>[]; schedule?: string };
  /** Parsed config files it names, by the path it names them with. */
  configs: Record<string, unknown>;
}

/** One S3 location a pipeline uses. */
export interface S3Use {
  pipeline: string;
  bucket: string;
  /** Key prefix ('' for the whole bucket). */
  prefix: string;
}

/** Reads every `*.yaml` directly in `dir` (not recursive, as infra/'s `pipelines_dir`). */
export async function readPipelineFiles(dir: string): Promise<PipelineFile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const spec = parseYaml(await readFile(join(dir, file), 'utf8')) as PipelineFile['spec'];
      const programs = [spec.tap, spec.target, ...(spec.steps ?? []).flatMap((s) => [s.tap, s.target, s.job])] as { config?: unknown }[];
      const paths = [...new Set(programs.map((p) => p?.config).filter((c): c is string => typeof c === 'string'))];
      const configs = Object.fromEntries(
        await Promise.all(paths.map(async (p) => [p, parseYaml(await readFile(resolve(dirname(join(dir, file)), p), 'utf8')) as unknown])),
      );
      return { file, spec, configs };
    }),
  );
}

/** The fixed part of a key: up to the first `${VAR}` or `{placeholder}`. */
function fixedPart(key: string): string {
  const cut = key.search(/\$\{|\{/);
  return cut < 0 ? key : key.slice(0, cut);
}

function* walk(value: unknown): Generator<unknown> {
  yield value;
  if (Array.isArray(value)) for (const v of value) yield* walk(v);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) yield* walk(v);
}

/** Every S3 location of a pipeline and its config files. */
export function s3Uses(pipeline: PipelineFile): S3Use[] {
  const uses: S3Use[] = [];
  for (const value of walk([pipeline.spec, Object.values(pipeline.configs)])) {
    if (typeof value === 'string') {
      for (const match of value.matchAll(/s3:\/\/([a-z0-9.-]+)\/?([^\s"']*)/g))
        uses.push({ pipeline: pipeline.spec.name, bucket: match[1], prefix: fixedPart(match[2]) });
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      // `bucket` with `prefix`, or `<x>_bucket` with `<x>_prefix` (compute-bills' bills_bucket).
      for (const [key, bucket] of Object.entries(value as Record<string, unknown>)) {
        const stem = key === 'bucket' ? '' : /^(\w+)_bucket$/.exec(key)?.[1];
        if (stem === undefined || typeof bucket !== 'string' || bucket.includes('${')) continue;
        const prefix = (value as Record<string, unknown>)[stem ? `${stem}_prefix` : 'prefix'];
        // A prefix setting names a folder: target-s3 and the staging write `<prefix>/<file>`.
        const folder = typeof prefix === 'string' && prefix !== '' && !prefix.includes('${') && !prefix.endsWith('/') ? `${prefix}/` : prefix;
        uses.push({ pipeline: pipeline.spec.name, bucket, prefix: typeof folder === 'string' ? fixedPart(folder) : '' });
      }
    }
  }
  return uses;
}

/** The configs (inline or read from their file) of a pipeline's programs named `command`. */
export function programConfigs(pipeline: PipelineFile, command: string): Record<string, unknown>[] {
  const { spec } = pipeline;
  const programs = [
    spec.tap,
    spec.target,
    ...(spec.steps ?? []).flatMap((s) =>
      s.job
        ? [s.job]
        : [
            { ...(spec.tap as object), ...(s.tap as object) },
            { ...(spec.target as object), ...(s.target as object) },
          ],
    ),
  ] as { command?: string | string[]; config?: unknown }[];
  const out: Record<string, unknown>[] = [];
  for (const p of programs) {
    const argv0 = typeof p?.command === 'string' ? p.command : p?.command?.[0];
    if (argv0?.split('/').pop() !== command) continue;
    const config = typeof p!.config === 'string' ? pipeline.configs[p!.config] : p!.config;
    if (typeof config === 'object' && config !== null) out.push(config as Record<string, unknown>);
  }
  return out;
}

/** The DynamoDB tables a pipeline's tap-dynamodb programs scan (their config's `tables`). */
export function dynamodbTables(pipeline: PipelineFile): string[] {
  return [...new Set(programConfigs(pipeline, 'tap-dynamodb').flatMap((c) => (c.tables as string[] | undefined) ?? []))].sort();
}
