import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { applyRedshiftShim, createTestDatabase, pipeTapToTarget, type TestDatabase } from '@observes/testkit';
import { FakeChecklyApi } from './testing/fake-checkly-api.js';
import { checklyCheckResult, seedCheckly } from './testing/fake-checkly-data.js';
import { checklyConfig, NOW } from './testing/run-tap-checkly.js';

const tapBin = fileURLToPath(new URL('../bin/tap-checkly.js', import.meta.url));
const targetBin = fileURLToPath(new URL('../../../targets/target-redshift/bin/target-redshift.js', import.meta.url));

describe('tap-checkly | target-redshift into PostgreSQL', () => {
  let api: FakeChecklyApi;
  let db: TestDatabase;
  let targetConfig: object;
  const count = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM checkly.${table}`))[0].n);

  before(async () => {
    api = await FakeChecklyApi.start();
    seedCheckly(api, { checks: 3, resultsPerCheck: 36, minutesApart: 20, lastResultAt: '2024-06-01T11:40:00.000Z' });
    db = await createTestDatabase();
    await applyRedshiftShim(db);
    targetConfig = { url: db.url, schema: 'checkly', dialect: 'redshift' };
  });
  after(async () => {
    await db?.drop();
    await api?.close();
  });

  it('loads the fake data, then a second run from the saved state adds only the new results', async () => {
    const env = { OBSERVES_FROZEN_TIME: NOW };
    const first = await pipeTapToTarget({ tapBin, targetBin, tapConfig: checklyConfig(api), targetConfig, tapEnv: env });
    expect(first.tapCode, first.tapStderr.slice(-2000)).to.equal(0);
    expect(first.targetCode, first.targetStderr.slice(-2000)).to.equal(0);
    expect(await count('check_results')).to.equal(3 * 36);
    expect(await count('checks')).to.equal(3);
    const variables = await db.query<{ key: string; value: string | null }>('SELECT key, value FROM checkly.environment_variables ORDER BY key');
    expect(variables).to.deep.equal([
      { key: 'BASE_URL', value: 'https://api.example.com' },
      { key: 'LOCKED_TOKEN', value: null },
      { key: 'SECRET_PASSWORD', value: null },
    ]);

    api.addResult(checklyCheckResult(1, 100, '2024-06-01T12:30:00.000Z'));
    api.addResult(checklyCheckResult(2, 100, '2024-06-01T13:00:00.000Z', true));
    const second = await pipeTapToTarget({
      tapBin,
      targetBin,
      tapConfig: checklyConfig(api),
      targetConfig,
      state: first.state,
      tapEnv: { OBSERVES_FROZEN_TIME: '2024-06-01T14:00:00.000Z' },
    });
    expect(second.tapCode, second.tapStderr.slice(-2000)).to.equal(0);
    expect(second.targetCode, second.targetStderr.slice(-2000)).to.equal(0);
    expect(await count('check_results')).to.equal(3 * 36 + 2);
    expect(await db.query('SELECT id FROM checkly.check_results GROUP BY id HAVING count(*) > 1')).to.deep.equal([]);
    const [failed] = await db.query<{ hasfailures: boolean }>("SELECT hasfailures FROM checkly.check_results WHERE id = 'result-2-100'");
    expect(failed.hasfailures).to.equal(true);
  });
});
