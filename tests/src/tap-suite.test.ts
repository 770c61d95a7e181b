import { fileURLToPath } from 'node:url';
import { tapSuite } from './tap-suite.js';

// The suite run against a reference tap that is right by construction, so a broken check in the suite
// shows here rather than in a real tap's tests.
tapSuite({
  name: 'reference tap',
  bin: fileURLToPath(new URL('./reference-tap.js', import.meta.url)),
  config: () => ({ count: 3, token: 'reference-secret-token' }),
});
