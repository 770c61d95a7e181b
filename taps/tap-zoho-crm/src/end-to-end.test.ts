import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { applyRedshiftShim, createTestDatabase, pipeTapToTarget, type PipeResult, type TestDatabase } from '@observes/testkit';
import type { FakeZoho } from './testing/fake-zoho.js';
import { fastConfig, runZoho, startFakeZoho, tapBin } from './testing/run-zoho.js';
import { dumpSchema, expectModuleRows } from './testing/warehouse-check.js';

const targetBin = fileURLToPath(new URL('../../../targets/target-redshift/bin/target-redshift.js', import.meta.url));
const MODULES = ['Leads', 'Deals'];

describe('tap-zoho-crm prepare, then load into PostgreSQL through target-redshift', () => {
  let fake: FakeZoho;
  let db: TestDatabase;
  let config: Record<string, unknown>;
  const targetConfig = () => ({ url: db.url, schema: 'zoho', dialect: 'redshift' });
  const outputs: string[] = [];
  const load = async (state: unknown): Promise<PipeResult> => {
    const run = await pipeTapToTarget({ tapBin, targetBin, tapConfig: config, targetConfig: targetConfig(), state });
    outputs.push(run.tapStderr, run.targetStderr, JSON.stringify(run.state));
    expect(run.tapCode, run.tapStderr.slice(-2000)).to.equal(0);
    expect(run.targetCode, run.targetStderr.slice(-2000)).to.equal(0);
    return run;
  };

  before(async () => {
    fake = await startFakeZoho({ records: { Leads: 120, Deals: 5 }, perPage: 50 });
    db = await createTestDatabase();
    await applyRedshiftShim(db);
    config = fastConfig(fake, { modules: [...MODULES, 'users'] });
  });
  after(async () => {
    await db?.drop();
    await fake?.close();
  });

  it('loads Leads from three pages and the other modules exactly; a rerun of the load alone changes nothing; no secret in any output', async () => {
    const prepare = await runZoho(['prepare'], config);
    outputs.push(prepare.stdout, prepare.stderr);
    expect(prepare.code, prepare.stderr).to.equal(0);
    const first = await load(prepare.state);
    expect(first.state, 'the loaded jobs are cleared').to.not.have.nested.property('value.zoho_crm');

    expect(fake.jobsOf('Leads').map((j) => [j.page, j.rows.length])).to.deep.equal([
      [1, 50],
      [2, 50],
      [3, 20],
    ]);
    for (const module of MODULES) await expectModuleRows(db, 'zoho', module, fake.records.get(module)!);
    const users = await db.query<{ id: string; full_name: string; role__name: string }>('SELECT id, full_name, role__name FROM zoho.users ORDER BY id');
    expect(users.map((u) => [u.id, u.full_name])).to.deep.equal(fake.users.map((u) => [u.id, u.full_name]).sort());
    expect(users[0].role__name).to.equal('CEO');
    const before = await dumpSchema(db, 'zoho');
    expect(Object.keys(before)).to.include.members(['deals', 'leads', 'leads__hobbies', 'users']);

    // The load again from the prepared state, as after a load whose state was lost: the same jobs, the same tables.
    await load(prepare.state);
    expect(await dumpSchema(db, 'zoho')).to.deep.equal(before);

    const all = outputs.join('\n');
    for (const secret of fake.secrets()) expect(all.includes(secret), 'a credential or access token in the output').to.equal(false);
  });
});
