import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import pLimit from 'p-limit';
import { workspaceDirs } from '@observes/protocol';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => join(repo, 'node_modules', '.bin', name);

interface Run {
  code: number;
  stderr: string;
}

const run = (command: string, args: string[], cwd: string) =>
  new Promise<Run>((resolve) => {
    const child = execFile(command, args, { cwd, env: { ...process.env, OBSERVES_LOG_LEVEL: 'info' } }, (error, _stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stderr }),
    );
    child.stdin?.end();
  });

/** Every line of stderr is a JSON log entry (stderr is not a TTY here), and one of them is an error. */
function expectJsonLog(program: string, stderr: string): Array<{ level: string; message: string }> {
  const lines = stderr.trim().split('\n');
  const entries = lines.map((line) => {
    try {
      return JSON.parse(line) as { level: string; message: string };
    } catch {
      throw new Error(`${program} wrote a line that is not JSON on stderr: ${line}`);
    }
  });
  expect(
    entries.some((e) => e.level === 'error' && typeof e.message === 'string'),
    `${program}: ${stderr}`,
  ).to.equal(true);
  return entries;
}

describe('every program: JSON logs on stderr and the same exit code for a bad config or usage', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-conventions-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('exits 2 with one JSON error entry for a bad config and for an unknown option, in every tap, target and the runner', async function () {
    this.timeout(120_000);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ not_a_setting: 1 }));
    await writeFile(join(dir, 'bad.yaml'), 'name: bad\nnot_a_key: 1\n');
    const programs = ['tap-gitlab', 'tap-checkly', 'tap-example', 'tap-json', 'tap-dynamodb', 'target-redshift', 'target-s3'];
    const cases: Array<[string, string, string[]]> = [
      ...programs.map((p): [string, string, string[]] => [`${p} --config bad.json`, bin(p), ['--config', bad]]),
      // One per CLI framework: the SDK's runTap, the SDK's standalone CLI, each target's own.
      ...['tap-gitlab', 'tap-json', 'target-redshift', 'target-s3'].map((p): [string, string, string[]] => [
        `${p} --no-such-option`,
        bin(p),
        ['--no-such-option'],
      ]),
      ['observes run bad.yaml', bin('observes'), ['run', 'bad.yaml']],
      ['observes --no-such-option', bin('observes'), ['run', '--no-such-option', 'bad.yaml']],
    ];
    const limit = pLimit(2);
    const results = await Promise.all(cases.map(([name, command, args]) => limit(async () => [name, await run(command, args, dir)] as const)));
    for (const [name, result] of results) {
      expect(result.code, `${name}: ${result.stderr}`).to.equal(2);
      const entries = expectJsonLog(name, result.stderr);
      if (name.endsWith('bad.json') || name.endsWith('bad.yaml')) expect(entries.map((e) => e.message).join('\n'), name).to.match(/not_a_setting|not_a_key/);
    }
  });

  it('every bin of the workspace answers --help (-h), --version and --about, and they agree', async function () {
    this.timeout(240_000);
    const bins = workspaceDirs(repo).flatMap((dir) => {
      let manifest: { version?: string; bin?: Record<string, string> };
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      } catch {
        return [];
      }
      return Object.keys(manifest.bin ?? {}).map((name) => ({ name, version: manifest.version! }));
    });
    expect(bins.map((b) => b.name)).to.include.members(['observes', 'tap-gitlab', 'tap-json', 'target-redshift', 'target-s3', 'compute-bills']);
    const output = (command: string, args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(command, args, { cwd: repo }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
        child.stdin?.end();
      });
    const limit = pLimit(2);
    await Promise.all(
      bins.map(({ name, version }) =>
        limit(async () => {
          const [help, short, versionRun, aboutRun] = [
            await output(bin(name), ['--help']),
            await output(bin(name), ['-h']),
            await output(bin(name), ['--version']),
            await output(bin(name), ['--about']),
          ];
          for (const [flag, run] of [
            ['--help', help],
            ['-h', short],
            ['--version', versionRun],
            ['--about', aboutRun],
          ] as const)
            expect(run.code, `${name} ${flag}: ${run.stderr}`).to.equal(0);
          expect(short.stdout, `${name}: -h is --help`).to.equal(help.stdout);
          expect(versionRun.stdout.trim(), `${name} --version`).to.equal(version);
          const about = JSON.parse(aboutRun.stdout) as {
            name: string;
            version: string;
            description: string;
            capabilities: string[];
            settings: { name: string; env?: string }[];
            settings_schema: object;
          };
          expect(about).to.include({ name, version });
          expect(about.description, `${name} --about description`).to.be.a('string').and.not.equal('');
          expect(about.capabilities, `${name} --about capabilities`).to.include('about');
          expect(about.settings, `${name} --about settings`).to.not.be.empty;
          expect(help.stdout, `${name} --help`).to.contain('--version').and.to.contain('--about').and.to.contain('Example');
          // --help lists each setting --about lists, with its variable.
          for (const setting of about.settings.filter((s) => !/[.[]/.test(s.name))) {
            expect(help.stdout, `${name} --help lists ${setting.name}`).to.match(new RegExp(`^  ${setting.name}\\n      ${setting.env ?? ''}`, 'm'));
          }
        }),
      ),
    );
  });

  it('npm ci runs no install script that was not reviewed (so it prints no install-script warning)', async () => {
    const result = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile('npm', ['install-scripts', 'ls'], { cwd: repo }, (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout })),
    );
    expect(result.stdout.trim()).to.equal('No packages with unreviewed install scripts.');
  });
});
