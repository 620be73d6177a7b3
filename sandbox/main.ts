import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { routePath } from '../lib/contract';
import { FAULTS } from './faults';
import { SANDBOX_LABEL, startSandbox, type SandboxInfo } from './sandbox';

const INFO_FILE = path.join(__dirname, '..', '.sandbox', 'sandbox.json');

function banner(info: SandboxInfo): string {
  const job = info.jobs.find((j) => j.state === 'WithCustomer')!.jobId;
  const base = info.apiUrl.replace(/\/$/, '');
  const sign = (kind: 'manifest' | 'unlockCode') =>
    `curl --aws-sigv4 "aws:amz:${info.region}:execute-api" --user "${info.operators[kind].accessKeyId}:${info.operators[kind].secretAccessKey}"`;
  return [
    '',
    `*** ${SANDBOX_LABEL} ***`,
    `Broker API: ${info.apiUrl}   (credentials and jobs: .sandbox/sandbox.json)`,
    `Demo jobs: ${info.jobs.map((j) => `${j.jobId} (${j.state})`).join(', ')}`,
    '',
    'Manifest operator:',
    `  ${sign('manifest')} -X POST ${base}${routePath('manifest', job)}`,
    `  ${sign('manifest')} -H "Accept: application/octet-stream" -o manifest.bin ${base}${routePath('manifest', job)}`,
    'Unlock-code operator:',
    `  ${sign('unlockCode')} -X POST ${base}${routePath('unlockCode', job)}`,
    `  ${sign('unlockCode')} ${base}${routePath('unlockCode', job)}`,
    '',
    `Faults: SANDBOX_FAULTS=a,b at start, or curl -X POST ${info.adminUrl}faults -d '{"faults":["throttle"]}'`,
    `  known: ${Object.keys(FAULTS).join(', ')}`,
    `  schedule a job's unlock-code secret for deletion: curl -X POST ${info.adminUrl}jobs/JOB_ID/schedule-deletion`,
    'Ctrl-C stops it.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const sandbox = await startSandbox({
    port: Number(process.env.PORT ?? 3000),
    faults: (process.env.SANDBOX_FAULTS ?? '').split(','),
    accessLog: (line) => console.log(JSON.stringify({ sandbox: 'access', ...line })),
  });
  mkdirSync(path.dirname(INFO_FILE), { recursive: true });
  writeFileSync(INFO_FILE, `${JSON.stringify(sandbox.info, null, 2)}\n`, { mode: 0o600 });
  console.log(banner(sandbox.info));
  const stop = async () => {
    await sandbox.stop();
    rmSync(INFO_FILE, { force: true });
    console.log('sandbox stopped');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`sandbox failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
