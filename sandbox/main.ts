import { assertNoOtherSandbox, claimInfoFile, infoFilePath, releaseInfoFile } from './info-file';
import type { GuardrailsMode } from './sandbox';

function guardrailsMode(raw: string | undefined): GuardrailsMode {
  if (raw === undefined || raw === '' || raw === 'scp') return 'scp';
  if (raw === 'off') return 'off';
  throw new Error(`SANDBOX_GUARDRAILS must be "scp" (the default) or "off", got "${raw}"`);
}

function captureInterval(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 5000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0)
    throw new Error(`SANDBOX_CAPTURE_INTERVAL_MS must be a whole number of milliseconds (0: no schedule), got "${raw}"`);
  return ms;
}

/** PORT: a whole number from 0 (any free port) to 65535; default 3000. */
function sandboxPort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(port) || port > 65535) {
    throw new Error(`PORT must be a whole number from 0 (any free port) to 65535, got "${raw}": e.g. PORT=3100 npm start`);
  }
  return port;
}

/** `npm start`: one sandbox at a time, its info file owned by it alone. */
async function main(): Promise<void> {
  const port = sandboxPort(process.env.PORT);
  const infoFile = infoFilePath();
  assertNoOtherSandbox(infoFile);
  // Loaded only now: a start refused above answers at once, without loading the whole emulation
  // (require, not import(): `--require tsx/cjs` compiles required .ts files only).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { startSandbox } = require('./sandbox') as typeof import('./sandbox');
  const { banner } = require('./banner') as typeof import('./banner');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sandbox = await startSandbox({
    port,
    faults: (process.env.SANDBOX_FAULTS ?? '').split(','),
    guardrails: guardrailsMode(process.env.SANDBOX_GUARDRAILS),
    captureIntervalMs: captureInterval(process.env.SANDBOX_CAPTURE_INTERVAL_MS),
    accessLog: (line) => console.log(JSON.stringify({ sandbox: 'access', ...line })),
  });
  try {
    claimInfoFile(infoFile, sandbox.info);
  } catch (err) {
    await sandbox.stop();
    throw err;
  }
  let stopping = false;
  const stop = async () => {
    // A second Ctrl-C (or tsx passing the signal on) while stopping must not cut the cleanup short.
    if (stopping) return;
    stopping = true;
    await sandbox.stop();
    releaseInfoFile(infoFile);
    console.log('sandbox stopped');
    process.exit(0);
  };
  // Before the banner: whoever reads it may stop us at once, and a signal with no handler kills without cleanup.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(banner(sandbox.info, infoFile));
}

main().catch((err) => {
  const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
  const why = inUse
    ? `port ${process.env.PORT ?? 3000} is in use: stop what uses it, or set PORT to another`
    : err instanceof Error
      ? err.message
      : String(err);
  console.error(`sandbox failed to start: ${why}`);
  process.exit(1);
});
