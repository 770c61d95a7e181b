import { getExpressionAst } from '@cdktf/hcl2json';
import { stringsIn, type Block, type TerraformModule } from './terraform-module.js';

/**
 * Finds every reference in a module's expressions (with HCL's own expression parser) and checks it
 * resolves: `var.x` to a variable, `local.x` to a local, `data.t.n`, `module.m` and `t.n` to
 * declared blocks, `each`/`count` to a block with `for_each`/`count`, names bound by `for`
 * expressions and `dynamic` blocks to their scope. What `terraform validate` would say about names,
 * without the providers it needs.
 */

/** One reference: the block and argument it is in, and its first name segments. */
export interface Reference {
  /** Address of the block holding it. */
  from: string;
  /** File of that block. */
  file: string;
  /** Argument path inside the block (`statement[1].resources`). */
  at: string;
  /** The name segments before any index or splat (`["aws_s3_bucket", "this", "arn"]`). */
  names: string[];
}

interface AstNode {
  type: string;
  meta?: { traversal?: { type: string; segment?: string }[]; keyVar?: string; valVar?: string };
  children?: AstNode[];
}

/** Names bound inside an expression by `for` (key and value variables). */
function forVariables(node: AstNode, into: Set<string>): Set<string> {
  if (node.type === 'for') {
    if (node.meta?.keyVar) into.add(node.meta.keyVar);
    if (node.meta?.valVar) into.add(node.meta.valVar);
  }
  for (const child of node.children ?? []) forVariables(child, into);
  return into;
}

function traversals(node: AstNode, into: string[][]): string[][] {
  if (node.type === 'scopeTraversal' || node.type === 'relativeTraversal') {
    const names: string[] = [];
    for (const step of node.meta?.traversal ?? []) {
      if (step.type !== 'nameTraversal' || step.segment === undefined) break;
      names.push(step.segment);
    }
    if (node.type === 'scopeTraversal' && names.length > 0) into.push(names);
  }
  for (const child of node.children ?? []) traversals(child, into);
  return into;
}

/**
 * The references of one hcl2json string value and the names its `for` expressions bind. The
 * value is re-read as a heredoc template, so quotes in literal text need no escaping.
 */
export async function referencesIn(text: string): Promise<{ names: string[][]; bound: Set<string> }> {
  if (!text.includes('${') && !text.includes('%{')) return { names: [], bound: new Set() };
  const marker = 'OBSERVES_EXPR_END';
  const ast = (await getExpressionAst('expression.tf', `<<${marker}\n${text}\n${marker}\n`)) as AstNode | null;
  if (!ast) return { names: [], bound: new Set() };
  return { names: traversals(ast, []), bound: forVariables(ast, new Set()) };
}

/** Iterator names of the `dynamic` blocks under a body (usable inside their `content`). */
function dynamicIterators(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) dynamicIterators(v, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'dynamic' && typeof v === 'object' && v !== null) {
        for (const [name, instances] of Object.entries(v as Record<string, unknown>)) {
          into.add(name);
          for (const i of instances as Record<string, unknown>[]) if (typeof i.iterator === 'string') into.add(i.iterator);
        }
      }
      dynamicIterators(v, into);
    }
  }
  return into;
}

/** Every reference of every block. */
export async function moduleReferences(module: TerraformModule): Promise<(Reference & { bound: Set<string> })[]> {
  const out: (Reference & { bound: Set<string> })[] = [];
  for (const block of module.blocks.values()) {
    const iterators = dynamicIterators(block.body);
    for (const { path, text } of stringsIn(block.body)) {
      // A variable's type constraint (`list(string)`) names types, not values.
      if (block.kind === 'variable' && path.startsWith('type')) continue;
      let parsed: Awaited<ReturnType<typeof referencesIn>>;
      try {
        parsed = await referencesIn(text);
      } catch (error) {
        throw new Error(`${block.file}: ${block.address}.${path}: cannot parse ${JSON.stringify(text)}: ${(error as Error).message}`);
      }
      const bound = new Set([...parsed.bound, ...iterators]);
      for (const names of parsed.names) out.push({ from: block.address, file: block.file, at: path, names, bound });
    }
  }
  return out;
}

const BUILTIN = new Set(['path', 'terraform', 'self']);

/** Why a reference does not resolve, or undefined when it does. */
function unresolved(module: TerraformModule, block: Block, names: string[], bound: Set<string>): string | undefined {
  const [root, second, third] = names;
  if (bound.has(root) || BUILTIN.has(root)) return undefined;
  if (root === 'each') return block.body.for_each === undefined ? 'each.* outside a block with for_each' : undefined;
  if (root === 'count') return block.body.count === undefined ? 'count.* outside a block with count' : undefined;
  const address =
    root === 'var' || root === 'local' || root === 'module'
      ? `${root}.${second}`
      : root === 'data'
        ? `data.${second}.${third}`
        : second === undefined
          ? undefined
          : `${root}.${second}`;
  if (address === undefined) return `unknown name "${root}"`;
  if (!module.blocks.has(address)) return `${address} is not declared`;
  return undefined;
}

/** Every reference that does not resolve, as `file: block.argument: problem`. */
export async function unresolvedReferences(module: TerraformModule): Promise<string[]> {
  const problems: string[] = [];
  for (const ref of await moduleReferences(module)) {
    const problem = unresolved(module, module.blocks.get(ref.from)!, ref.names, ref.bound);
    if (problem) problems.push(`${ref.file}: ${ref.from}.${ref.at}: ${ref.names.join('.')}: ${problem}`);
  }
  return [...new Set(problems)];
}

/** Addresses (`local.x`, `aws_s3_bucket.this`, `var.y`...) a block refers to, directly. */
export async function dependenciesOf(module: TerraformModule, address: string): Promise<Set<string>> {
  const block = module.blocks.get(address)!;
  const deps = new Set<string>();
  const iterators = dynamicIterators(block.body);
  for (const { text } of stringsIn(block.body)) {
    const { names, bound } = await referencesIn(text);
    for (const [root, second, third] of names) {
      if (bound.has(root) || iterators.has(root) || BUILTIN.has(root) || root === 'each' || root === 'count') continue;
      deps.add(
        root === 'var' || root === 'local' || root === 'module' ? `${root}.${second}` : root === 'data' ? `data.${second}.${third}` : `${root}.${second}`,
      );
    }
  }
  return deps;
}
