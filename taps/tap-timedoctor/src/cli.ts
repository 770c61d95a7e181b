import { runTap } from '@observes/tap-sdk';
import { tapForArgs } from './tap-for-args.js';

await runTap(tapForArgs(process.argv, process.env), process.argv);
