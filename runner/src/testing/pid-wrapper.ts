/**
 * Test support: runs a program (argv after this script) with our stdio, writing its pid to the file
 * named by `OBSERVES_TEST_PID_FILE`, so a fault test can kill exactly that process; exits as it did.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: 'inherit' });
if (process.env.OBSERVES_TEST_PID_FILE && child.pid) writeFileSync(process.env.OBSERVES_TEST_PID_FILE, String(child.pid));
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGKILL' ? 137 : 143)));
