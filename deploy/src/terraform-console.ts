import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { blockAt, type TerraformModule } from './terraform-module.js';
import { dependenciesOf } from './terraform-references.js';

/**
 * Evaluates a module's pure locals (those computed from variables, files and other pure locals, no
 * resource or data source) with the real `terraform console`, in a provider-less copy: the locals
 * and the variables they need, written back in Terraform's JSON syntax (which takes hcl2json's
 * `${...}` strings as they are). This is how infra/'s tests see what the pipeline files turn into
 * (job definitions, schedules, array sizes, database users) exactly as Terraform computes it.
 */

const run = promisify(execFile);

/** Whether a `terraform` binary answers (the tests that need one say so when it does not). */
export async function terraformAvailable(): Promise<boolean> {
  return run('terraform', ['version']).then(
    () => true,
    () => false,
  );
}

/** The locals and variables `names` need, transitively. @throws Error when one needs a resource or data source */
async function closure(module: TerraformModule, names: string[]): Promise<Set<string>> {
  const needed = new Set<string>();
  const pending = names.map((n) => `local.${n}`);
  while (pending.length > 0) {
    const address = pending.pop()!;
    if (needed.has(address)) continue;
    blockAt(module, address);
    needed.add(address);
    if (!address.startsWith('local.')) continue;
    for (const dep of await dependenciesOf(module, address)) {
      if (!dep.startsWith('local.') && !dep.startsWith('var.')) throw new Error(`${address} is not pure: it needs ${dep}`);
      pending.push(dep);
    }
  }
  return needed;
}

/** Writes an HCL string the console printed (`"..."`) back as the JSON text it holds. */
function consoleString(output: string): string {
  const line = output.trim();
  if (!line.startsWith('"')) throw new Error(`terraform console printed no string: ${line.slice(0, 200)}`);
  return JSON.parse(line.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{')) as string;
}

/**
 * Evaluates locals of `module` with Terraform.
 * @param vars - variable values (others take their defaults); `*.auto.tfvars.json` files of the module are read too
 * @returns each local's value, by name
 */
export async function evaluateLocals(
  module: TerraformModule,
  names: string[],
  vars: Record<string, unknown> = {},
  varFiles: string[] = [],
): Promise<Record<string, unknown>> {
  const needed = await closure(module, names);
  const variable: Record<string, unknown> = {};
  const locals: Record<string, unknown> = {};
  for (const address of needed) {
    const block = blockAt(module, address);
    const [kind, name] = address.split('.');
    if (kind === 'local') locals[name] = block.body.value;
    else {
      const { type, default: value, description } = block.body as { type?: string; default?: unknown; description?: string };
      variable[name] = { ...(type ? { type: type.replace(/^\$\{([^]*)\}$/, '$1') } : {}), ...(value !== undefined ? { default: value } : {}), description };
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'observes-tf-console-'));
  try {
    await writeFile(join(dir, 'main.tf.json'), JSON.stringify({ variable, locals }));
    const given = Object.fromEntries(Object.entries(vars).filter(([k]) => k in variable));
    await writeFile(join(dir, 'given.auto.tfvars.json'), JSON.stringify(given));
    const files = varFiles.flatMap((f) => ['-var-file', f]);
    const expression = `jsonencode({${names.map((n) => `${n} = local.${n}`).join(', ')}})`;
    const child = execFile('terraform', ['console', ...files], {
      cwd: dir,
      env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = new Promise<string>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) =>
        code === 0 ? resolve(stdout) : reject(new Error(`terraform console failed (${code}): ${stderr.replace(/.*CLI configuration[^]*?╵\n?/, '').trim()}`)),
      );
    });
    child.stdin!.end(`${expression}\n`);
    return JSON.parse(consoleString(await output)) as Record<string, unknown>;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
