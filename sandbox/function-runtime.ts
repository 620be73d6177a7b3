import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';

/**
 * Loads a function's entry modules in the worker and answers `{id, entry, event}` with `{id, result | error}`.
 * The project's TypeScript is compiled file by file as it is required, with esbuild (what tsx does),
 * but only `.ts` files: the SDK and other packages load as Node loads them, which halves a boot
 * (tsx hooks every `.js` file too). What a worker compiled goes back to this process, so the next
 * boot reuses it for a file whose source is unchanged.
 */
const HOST = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const compiled = {};
require.extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  const known = workerData.compiled[filename];
  const code = known && known.source === source ? known.code : require(workerData.esbuild).transformSync(source, {
    loader: 'ts', format: 'cjs', target: 'node' + process.versions.node, sourcefile: filename, sourcemap: 'inline', tsconfigRaw: workerData.tsconfig,
  }).code;
  compiled[filename] = { source, code };
  module._compile(code, filename);
};
process.setSourceMapsEnabled(true);
const handlers = {};
for (const [name, file] of Object.entries(workerData.entries)) handlers[name] = require(file).handler;
parentPort.on('message', async ({ id, entry, event }) => {
  try {
    parentPort.postMessage({ id, result: await handlers[entry](event) });
  } catch (err) {
    parentPort.postMessage({ id, error: err && err.name ? String(err.name) : 'Error' });
  }
});
parentPort.postMessage({ ready: true, compiled });
`;

type Compiled = Record<string, { source: string; code: string }>;

/** The compiled project files of the workers started so far in this process, by path. */
const compiledFiles: Compiled = {};

const ROOT = path.join(__dirname, '..');

export interface FunctionOptions {
  /** Name in log lines, e.g. `ManifestFunction`. */
  readonly name: string;
  /**
   * Entry files relative to the project root, by trigger name (`api`, `schedule`, `notification`):
   * the vault's function and its other triggers, which share its role and environment on AWS too.
   */
  readonly entries: Record<string, string>;
  /** The whole environment of the function: nothing of this process's leaks in. */
  readonly env: Record<string, string>;
  /** Receives each line the function logs. */
  readonly log: (name: string, line: string) => void;
}

export interface RunningFunction {
  /** Invokes one entry with an event, as Lambda would; resolves with the handler's result. */
  invoke<R = unknown>(entry: string, event: unknown): Promise<R>;
  stop(): Promise<void>;
}

type Reply = { id: number; result?: unknown; error?: string } | { ready: true; compiled: Compiled };

function forwardLines(stream: Readable, name: string, log: FunctionOptions['log']): void {
  createInterface({ input: stream }).on('line', (line) => log(name, line));
}

/**
 * Runs one function's handler module as Lambda would: in its own execution environment (a worker
 * thread) with exactly the environment the stack gives it, including its own role's credentials,
 * so each function signs its AWS calls as itself. The handler code is the deployed module, unchanged.
 */
export async function startFunction(options: FunctionOptions): Promise<RunningFunction> {
  const worker = new Worker(HOST, {
    eval: true,
    env: options.env,
    stdout: true,
    stderr: true,
    workerData: {
      esbuild: require.resolve('esbuild'),
      tsconfig: readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'),
      compiled: compiledFiles,
      entries: Object.fromEntries(Object.entries(options.entries).map(([name, file]) => [name, path.join(ROOT, file)])),
    },
  });
  forwardLines(worker.stdout, options.name, options.log);
  forwardLines(worker.stderr, options.name, options.log);
  const pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) {
        Object.assign(compiledFiles, reply.compiled);
        return resolve();
      }
      const call = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.error === undefined) call?.resolve(reply.result);
      else call?.reject(new Error(`${options.name} failed: ${reply.error}`));
    });
    worker.once('error', (err) => reject(new Error(`${options.name} failed to load: ${err.message}`)));
  });
  const failPending = () => {
    for (const call of pending.values()) call.reject(new Error(`${options.name} stopped`));
    pending.clear();
  };
  worker.on('error', failPending);
  worker.on('exit', failPending);
  return {
    invoke: <R>(entry: string, event: unknown) =>
      new Promise<R>((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
        worker.postMessage({ id, entry, event });
      }),
    stop: async () => {
      await worker.terminate();
    },
  };
}
