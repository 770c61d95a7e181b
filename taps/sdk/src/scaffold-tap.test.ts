import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renameTemplateText, scaffoldTap, TEMPLATE_DESCRIPTION } from './scaffold-tap.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

describe('scaffoldTap (npm run new:tap)', () => {
  it('renames every mention of the template', () => {
    expect(renameTemplateText("name: 'example', loadSchema('tap-example', 'orders'), TAP_EXAMPLE_PATH, ExampleConfig", 'acme-crm')).to.equal(
      "name: 'acme-crm', loadSchema('tap-acme-crm', 'orders'), TAP_ACME_CRM_PATH, AcmeCrmConfig",
    );
  });

  it('refuses bad names and existing taps', async () => {
    for (const name of ['Acme', 'tap-acme', 'a_b', '']) {
      const error = await scaffoldTap({ name, root: repo }).catch((e: unknown) => e);
      expect((error as Error).message, name).to.match(/must be lower-case kebab-case/);
    }
    const root = mkdtempSync(path.join(tmpdir(), 'new-tap-'));
    mkdirSync(path.join(root, 'taps/tap-example'), { recursive: true });
    const error = await scaffoldTap({ name: 'example', root }).catch((e: unknown) => e);
    expect((error as Error).message).to.equal('taps/tap-example already exists');
  });

  it('scaffolds a tap that type-checks, with its catalog, generated types and root reference', async function () {
    this.timeout(60_000);
    const root = mkdtempSync(path.join(tmpdir(), 'new-tap-'));
    copyFileSync(path.join(repo, 'tsconfig.base.json'), path.join(root, 'tsconfig.base.json'));
    writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ files: [], references: [{ path: 'protocol' }] }));
    symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
    const result = await scaffoldTap({
      name: 'acme-crm',
      root,
      template: path.join(repo, 'taps/tap-example'),
      templateCatalog: path.join(repo, 'catalogs/tap-example'),
    });
    const pkg = JSON.parse(readFileSync(path.join(result.packageDir, 'package.json'), 'utf8'));
    expect(pkg.name).to.equal('@observes/tap-acme-crm');
    expect(pkg.description, "its own description, not the template's").to.equal('Singer tap for Acme Crm');
    expect(pkg.bin).to.deep.equal({ 'tap-acme-crm': './bin/tap-acme-crm.js' });
    expect(readFileSync(path.join(result.packageDir, 'bin/tap-acme-crm.js'), 'utf8')).to.include("import '../dist/cli.js'");
    expect(existsSync(path.join(result.packageDir, 'dist'))).to.equal(false);
    const tap = readFileSync(path.join(result.packageDir, 'src/tap.ts'), 'utf8');
    expect(tap).to.include("description: 'Singer tap for Acme Crm'").and.not.include(TEMPLATE_DESCRIPTION);
    expect(tap).to.include("name: 'acme-crm'").and.include("loadSchema('tap-acme-crm', 'orders')").and.not.include("example'");
    expect(existsSync(path.join(root, 'catalogs/tap-acme-crm/orders.json'))).to.equal(true);
    expect(readFileSync(result.generatedTypes, 'utf8')).to.include('export interface OrdersRecord');
    expect(JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8')).references).to.deep.equal([{ path: 'protocol' }, { path: 'taps/tap-acme-crm' }]);

    // Type-check the sources against the built workspace packages (project references need the whole repo).
    const check = path.join(result.packageDir, 'tsconfig.check.json');
    writeFileSync(
      check,
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { composite: false, noEmit: true, declaration: false, declarationMap: false },
        references: [],
      }),
    );
    execFileSync(path.join(repo, 'node_modules/.bin/tsc'), ['-p', check], { cwd: root, stdio: 'pipe' });
  });
});
