import { Console } from 'node:console';

// Jest's own console collects lines and prints them after each file; a plain console writes
// through process.stdout, where test/quiet-environment.js holds them for a failing test.
globalThis.console = new Console({ stdout: process.stdout, stderr: process.stderr });
