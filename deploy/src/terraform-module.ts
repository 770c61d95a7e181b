import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';

/**
 * A Terraform root module read without Terraform: every `*.tf` file of a directory parsed with
 * `@cdktf/hcl2json` (HashiCorp's HCL parser compiled to WebAssembly), indexed by block. Argument
 * values are as hcl2json gives them: literals as JSON, expressions as `${...}` strings.
 */

/** A block of the module with where it is. */
export interface Block {
  /** `resource`, `data`, `variable`, `output`, `locals`, `check`, `module`, `provider`, `terraform`. */
  kind: string;
  /** Its address: `aws_s3_bucket.this`, `data.aws_iam_policy_document.job`, `var.region`, `local.jobs`, `output.buckets`. */
  address: string;
  /** The file it is in. */
  file: string;
  /** Its arguments and nested blocks (nested blocks are lists of objects). */
  body: Record<string, unknown>;
}

/** The parsed module. */
export interface TerraformModule {
  /** The directory. */
  dir: string;
  /** Every block, by address (a local's body is `{ value }`). */
  blocks: Map<string, Block>;
}

/** The file names of the `*.tf` files of `dir`, sorted. */
export async function terraformFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.tf')).sort();
}

/**
 * Parses every `*.tf` file of `dir`.
 * @throws Error naming the file when one does not parse, or when an address is declared twice
 */
export async function readTerraformModule(dir: string): Promise<TerraformModule> {
  const blocks = new Map<string, Block>();
  const add = (block: Block) => {
    const earlier = blocks.get(block.address);
    if (earlier) throw new Error(`${block.file}: ${block.address} is also declared in ${earlier.file}`);
    blocks.set(block.address, block);
  };
  for (const file of await terraformFiles(dir)) {
    let json: Record<string, unknown>;
    try {
      json = await parse(file, await readFile(join(dir, file), 'utf8'));
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
    for (const [kind, value] of Object.entries(json)) {
      if (kind === 'resource' || kind === 'data') {
        for (const [type, named] of Object.entries(value as Record<string, Record<string, unknown[]>>)) {
          for (const [name, bodies] of Object.entries(named)) {
            add({ kind, address: `${kind === 'data' ? 'data.' : ''}${type}.${name}`, file, body: bodies[0] as Record<string, unknown> });
          }
        }
      } else if (kind === 'locals') {
        for (const group of value as Record<string, unknown>[])
          for (const [name, v] of Object.entries(group)) add({ kind, address: `local.${name}`, file, body: { value: v } });
      } else if (kind === 'terraform') {
        add({ kind, address: `terraform@${file}`, file, body: (value as Record<string, unknown>[])[0] });
      } else {
        const prefix = { variable: 'var', output: 'output', check: 'check', module: 'module', provider: 'provider' }[kind] ?? kind;
        for (const [name, bodies] of Object.entries(value as Record<string, unknown[]>))
          add({ kind, address: `${prefix}.${name}`, file, body: bodies[0] as Record<string, unknown> });
      }
    }
  }
  return { dir, blocks };
}

/** Blocks of one kind (and, for resources and data, one type). */
export function blocksOf(module: TerraformModule, kind: string, type?: string): Block[] {
  const prefix = type ? (kind === 'data' ? `data.${type}.` : `${type}.`) : '';
  return [...module.blocks.values()].filter((b) => b.kind === kind && b.address.startsWith(prefix));
}

/** The block at an address, or an error naming it. */
export function blockAt(module: TerraformModule, address: string): Block {
  const block = module.blocks.get(address);
  if (!block) throw new Error(`${address} is not declared in ${module.dir}`);
  return block;
}

/** Every string value under `value` with its path (`statement[2].resources[0]`), for walking expressions. */
export function* stringsIn(value: unknown, path = ''): Generator<{ path: string; text: string }> {
  if (typeof value === 'string') yield { path, text: value };
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* stringsIn(v, `${path}[${i}]`);
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) yield* stringsIn(v, path ? `${path}.${k}` : k);
}

/** A nested block's instances (hcl2json gives `statement { }` blocks as a list). */
export function nested(body: Record<string, unknown> | undefined, name: string): Record<string, unknown>[] {
  const value = body?.[name];
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : value && typeof value === 'object' ? [value as Record<string, unknown>] : [];
}
