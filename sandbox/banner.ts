import { routePath } from '../contract/api';
import { UNLOCKABLE_STATE } from '../contract/snowball';
import { type OperatorKind } from '../contract/vaults';
import { FAULTS } from './faults';
import { SANDBOX_LABEL, type SandboxInfo } from './sandbox';

/**
 * Copy-paste commands for a second terminal in the repository, with the live credentials and
 * addresses: they run in order as printed (curl and the CLI write different files), each shows
 * its HTTP status, and the CLI is the clone's own build, never a registry lookup.
 */
export function banner(info: SandboxInfo, infoFile: string): string {
  const job = info.jobs.find((j) => j.state === UNLOCKABLE_STATE)!.jobId;
  const base = info.apiUrl.replace(/\/$/, '');
  const creds = (kind: OperatorKind) => info.operators[kind];
  const curl = (kind: OperatorKind) =>
    `curl -sS -w ' %{http_code}\\n' --aws-sigv4 "aws:amz:${info.region}:execute-api" --user "${creds(kind).accessKeyId}:${creds(kind).secretAccessKey}" -H "x-amz-security-token: ${creds(kind).sessionToken}"`;
  const cli = (kind: OperatorKind) =>
    `SNOWBALL_BROKER_API_URL=${info.apiUrl} AWS_REGION=${info.region} AWS_ACCESS_KEY_ID=${creds(kind).accessKeyId} ` +
    `AWS_SECRET_ACCESS_KEY='${creds(kind).secretAccessKey}' AWS_SESSION_TOKEN='${creds(kind).sessionToken}' ./bin/snowball-broker.js`;
  const control = `curl -sS -w ' %{http_code}\\n' -H 'Content-Type: application/json'`;
  return [
    '',
    `*** ${SANDBOX_LABEL} ***`,
    `Broker API: ${info.apiUrl}   (credentials, vault addresses and jobs: ${infoFile}, mode 0600)`,
    `Demo jobs: ${info.jobs.map((j) => `${j.jobId} (${j.state})`).join(', ')}`,
    '',
    'Manifest operator, with curl:',
    `  ${curl('manifest')} -X POST ${base}${routePath('manifest', job)}`,
    `  (umask 077; ${curl('manifest')} -o .sandbox/curl-manifest.bin ${base}${routePath('manifest', job)})`,
    'Manifest operator, with the CLI:',
    `  ${cli('manifest')} fetch-manifest --job-id ${job}`,
    `  ${cli('manifest')} get-manifest --job-id ${job} --out .sandbox/cli-manifest.bin --force`,
    'Unlock-code operator, with curl:',
    `  ${curl('unlockCode')} -X POST ${base}${routePath('unlockCode', job)}`,
    `  ${curl('unlockCode')} ${base}${routePath('unlockCode', job)}`,
    'Unlock-code operator, with the CLI:',
    `  ${cli('unlockCode')} fetch-unlock-code --job-id ${job}`,
    `  ${cli('unlockCode')} get-unlock-code --job-id ${job}`,
    '',
    info.guardrails === 'scp'
      ? 'Guardrails: the SCP applies (nobody but the functions gets a credential from Snowball); SANDBOX_GUARDRAILS=off shows the hole.'
      : 'Guardrails: OFF (SANDBOX_GUARDRAILS=off): the outsider can take both credentials straight from Snowball, as on AWS without the SCP.',
    `Alerts raised by the detection rules: ${control} ${info.adminUrl}alerts`,
    '',
    `Faults: SANDBOX_FAULTS=a,b at start, or ${control} -X POST ${info.adminUrl}faults -d '{"faults":["throttle"]}'`,
    `  known: ${Object.keys(FAULTS).join(', ')}`,
    `  move a job: ${control} -X POST ${info.adminUrl}jobs/JOB_ID/state -d '{"state":"Complete"}'`,
    `  schedule a job's unlock-code secret for deletion: ${control} -X POST ${info.adminUrl}jobs/JOB_ID/schedule-deletion`,
    'Ctrl-C stops it.',
    '',
  ].join('\n');
}
