import { tapSuite } from '@observes/testkit';
import type { FakeZoho } from './testing/fake-zoho.js';
import { fastConfig, startFakeZoho, tapBin } from './testing/run-zoho.js';

let fake: FakeZoho;
tapSuite({
  name: 'tap-zoho-crm',
  bin: tapBin,
  async setup() {
    fake = await startFakeZoho();
  },
  teardown: () => fake.close(),
  // A plain sync (no prepared state) prepares, waits and loads in one run, as `tap-zoho-crm | target` in a shell.
  config: () => fastConfig(fake, { modules: ['Deals', 'users'] }),
  // Sync with the discovered catalog, as the runner's `select:` does: it chooses the streams and fields.
  selectAll: true,
});
