import { runTap } from '@observes/tap-sdk';
import { tap } from './tap.js';

await runTap(tap, process.argv);
