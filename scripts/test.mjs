// `npm test`: the type-check and jest side by side (tsc spends most of its time parsing
// aws-cdk-lib's declarations, jest waits on sandboxes and child processes: together they use a
// 2-core machine fully). jest's report streams as it runs; tsc's errors follow it. Fails if either
// fails. Arguments go to jest (`npm test -- test/unit`).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, ...options });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const typeCheck = run(bin('tsc'), ['--noEmit'], { stdio: ['ignore', 'pipe', 'pipe'] });
const tests = run(bin('jest'), process.argv.slice(2), { stdio: 'inherit' });
const [tsc, jest] = await Promise.all([typeCheck, tests]);
if (tsc.code !== 0) process.stderr.write(`\ntsc --noEmit failed:\n${tsc.output}`);
else process.stderr.write('tsc --noEmit: no type errors\n');
process.exit(tsc.code || jest.code);
