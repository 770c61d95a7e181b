import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { stageImage, type StagedImage } from './stage-image.js';
import { blockAt, readTerraformModule } from './terraform-module.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The staged image tree run as the image runs it: from a folder outside the repository (so Node
 * cannot fall back on the workspace's node_modules, dev dependencies included), with a PATH of the
 * tree's .bin and node only. Trade-off: the tree's node_modules is copied from this workspace's
 * install (the production closure npm computes) rather than installed by a second `npm ci
 * --omit=dev`, so the test needs no registry or npm cache; the Dockerfile runs this same staging,
 * so the image holds what is tested here.
 */
describe("npm run image:stage: the container image's application tree, production dependencies only", function () {
  let stage: string;
  let staged: StagedImage;
  let env: NodeJS.ProcessEnv;
  before(async function () {
    const parent = await mkdtemp(join(tmpdir(), 'observes-image-'));
    stage = join(parent, 'app');
    staged = await stageImage({ root: ROOT, out: stage });
    env = {
      PATH: [join(stage, 'node_modules/.bin'), dirname(process.execPath), '/usr/bin', '/bin'].join(':'),
      HOME: parent,
      TMPDIR: tmpdir(),
      LANG: 'C.UTF-8',
    };
  });
  after(() => rm(dirname(stage), { recursive: true, force: true }));

  const inStage = (command: string, args: string[], cwd = dirname(stage)) => run(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });

  it('holds every program of the workspace, no dev dependency and no test code', async () => {
    expect(Object.keys(staged.bins)).to.include.members(['observes', 'target-redshift', 'target-s3', 'tap-gitlab', 'tap-dynamodb']);
    for (const name of ['mocha', 'chai', 'typescript', 's3rver', 'dynalite', '@observes/testkit', '@cdktf/hcl2json'])
      expect(existsSync(join(stage, 'node_modules', name)), name).to.equal(false);
    expect(staged.workspaces).to.not.include.members(['tests', 'bench', 'deploy']);
    const runnerDist = await readdir(join(stage, 'runner/dist'));
    expect(runnerDist.filter((f) => f.includes('.test.') || f === 'testing' || f.endsWith('.d.ts'))).to.deep.equal([]);
    expect(existsSync(join(stage, 'runner/src'))).to.equal(false);
    // What a runtime import of a dev dependency would meet in the image:
    const attempt = await inStage(process.execPath, ['--input-type=module', '-e', 'await import("chai")'], join(stage, 'runner')).catch(
      (e: { stderr: string }) => e,
    );
    expect((attempt as { stderr: string }).stderr).to.match(/ERR_MODULE_NOT_FOUND|Cannot find package 'chai'/);
  });

  it('every program answers --help', async () => {
    for (const bin of Object.keys(staged.bins)) {
      const { stdout } = await inStage(bin, ['--help']).catch((e: { stderr: string }) => expect.fail(`${bin} --help failed: ${e.stderr}`));
      expect(stdout, bin).to.match(/--help|Options/);
    }
  });

  it('has the pipeline files (and the config files they name) where infra/ runs them', async () => {
    const module = await readTerraformModule(join(ROOT, 'infra'));
    const inImage = String(blockAt(module, 'var.image_pipelines_dir').body.default);
    const pipelinesDir = join(ROOT, 'infra', String(blockAt(module, 'var.pipelines_dir').body.default));
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const app = /^COPY --from=build \/stage (\S+)$/m.exec(dockerfile)?.[1];
    expect(app, 'the Dockerfile copies the staged tree').to.be.a('string');
    expect(inImage.startsWith(`${app}/`), `${inImage} is inside ${app}`).to.equal(true);
    const staged = join(stage, inImage.slice(app!.length));
    const files = (await readdir(pipelinesDir)).filter((f) => f.endsWith('.yaml'));
    expect(files.length).to.be.greaterThan(0);
    for (const file of files) {
      expect(existsSync(join(staged, file)), file).to.equal(true);
      const spec = parseYaml(await readFile(join(pipelinesDir, file), 'utf8')) as { tap?: { config?: unknown }; target?: { config?: unknown } };
      for (const config of [spec.tap?.config, spec.target?.config])
        if (typeof config === 'string') expect(existsSync(join(staged, config)), `${file}: ${config}`).to.equal(true);
    }
  });

  it('the Dockerfile: Node 22, multi-stage, non-root, tini as init, no secret baked in', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages).to.have.length(2);
    expect(/^ARG NODE_IMAGE=node:22[-.\w]*$/m.test(dockerfile)).to.equal(true);
    const runtime = stages[1];
    expect(runtime).to.match(/^USER (?!root\b|0\b)\w+$/m);
    expect(runtime).to.match(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    expect(runtime).to.not.match(/npm (ci|install)(?! --omit=dev)/);
    expect(dockerfile).to.not.match(/^(ENV|ARG)\s[^\n]*(TOKEN|SECRET|PASSWORD|KEY)\b/im);
    const ignored = await readFile(join(ROOT, '.dockerignore'), 'utf8');
    for (const pattern of ['**/node_modules', '**/*.sops.yaml', '**/*.tfvars', '.git']) expect(ignored.split('\n'), pattern).to.include(pattern);
  });

  it("decrypts a SOPS file for a run (observes run --secrets, with the image's age and KMS libraries)", async () => {
    const age = await import('age-encryption');
    const { encryptSopsYaml } = await import('@observes/runner/testing/sops-fixture');
    const identity = await age.generateIdentity();
    const dir = dirname(stage);
    await writeFile(join(dir, 's.sops.yaml'), await encryptSopsYaml({ DEMO_TOKEN: 'tok-from-sops-1234' }, { age: [await age.identityToRecipient(identity)] }));
    await writeFile(
      join(dir, 'p.yaml'),
      'name: p\ntap: {command: tap-example, config: {token: "${DEMO_TOKEN}"}}\ntarget: {command: target-s3, config: {bucket: b}}\n',
    );
    const { stdout } = await run('observes', ['run', join(dir, 'p.yaml'), '--secrets', join(dir, 's.sops.yaml'), '--dry-run'], {
      cwd: dir,
      env: { ...env, SOPS_AGE_KEY: identity },
    });
    expect(stdout).to.include('tap-example').and.not.include('tok-from-sops-1234');
  });

  it('runs the demo pipeline', async () => {
    const { stdout } = await inStage('observes', ['demo', '--dir', join(dirname(stage), 'demo')]);
    expect(stdout).to.match(/demo\.orders\s+\d+/);
  });
});
