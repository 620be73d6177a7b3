import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeJobCommand, GetJobManifestCommand, GetJobUnlockCodeCommand, SnowballClient } from '@aws-sdk/client-snowball';
import { execFile } from 'node:child_process';
import { routePath } from '../../contract/api';
import { manifestObjectKey, unlockCodeSecretName } from '../../contract/vault-layout';
import { type OperatorKind } from '../../contract/vaults';
import type { PrincipalName } from '../../sandbox/identities';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import type { Credentials } from '../../sandbox/sigv4';
import { captureLogs } from '../helpers/log-capture';
import { signedCall } from '../helpers/signed-client';

/**
 * The stand-ins behind the broker enforce DESIGN.md's matrix themselves: every direct call to
 * Snowball, S3 or Secrets Manager is SigV4-verified and admitted only as the stack's policies allow.
 */
captureLogs();
let sandbox: Sandbox;
let job: string;
const credentialsOf = (who: PrincipalName): Credentials => sandbox.principals[who];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  job = sandbox.info.jobs.find((j) => j.state === 'WithCustomer')!.jobId;
  for (const [kind, who] of [
    ['manifest', 'manifest'],
    ['unlockCode', 'unlockCode'],
  ] as [OperatorKind, PrincipalName][]) {
    const url = `${sandbox.info.apiUrl.replace(/\/$/, '')}${routePath(kind, job)}`;
    expect((await signedCall(url, credentialsOf(who), sandbox.info.region, { method: 'POST' })).status).toBe(201);
  }
});
afterAll(() => sandbox.stop());

const region = () => sandbox.info.region;
const s3 = (c: Credentials) =>
  new S3Client({
    region: region(),
    endpoint: sandbox.info.vaults.manifest.s3Endpoint,
    forcePathStyle: true,
    credentials: c,
    maxAttempts: 1,
  });
const secrets = (c: Credentials) =>
  new SecretsManagerClient({
    region: region(),
    endpoint: sandbox.info.vaults.unlockCode.secretsManagerEndpoint,
    credentials: c,
    maxAttempts: 1,
  });
const snowball = (c: Credentials) =>
  new SnowballClient({ region: region(), endpoint: sandbox.info.snowballEndpoint, credentials: c, maxAttempts: 1 });
const bucket = () => sandbox.info.vaults.manifest.bucket;
const secretName = () => unlockCodeSecretName(sandbox.info.vaults.unlockCode.secretPrefix, job);

/** The outcome of one direct call: 'allowed', or the AWS error name. */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'allowed';
  } catch (err) {
    return (err as Error).name;
  }
}

function directCalls(c: Credentials) {
  return {
    getManifestObject: () => outcome(() => s3(c).send(new GetObjectCommand({ Bucket: bucket(), Key: manifestObjectKey(job) }))),
    putManifestObject: () =>
      outcome(() => s3(c).send(new PutObjectCommand({ Bucket: bucket(), Key: manifestObjectKey(job), Body: Buffer.from('forged') }))),
    getSecretValue: () => outcome(() => secrets(c).send(new GetSecretValueCommand({ SecretId: secretName() }))),
    putSecretValue: () =>
      outcome(() => secrets(c).send(new PutSecretValueCommand({ SecretId: secretName(), SecretString: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA' }))),
    getJobManifest: () => outcome(() => snowball(c).send(new GetJobManifestCommand({ JobId: job }))),
    getJobUnlockCode: () => outcome(() => snowball(c).send(new GetJobUnlockCodeCommand({ JobId: job }))),
  };
}

async function row(who: PrincipalName) {
  const calls = directCalls(credentialsOf(who));
  const out: Record<string, string> = {};
  for (const [name, call] of Object.entries(calls)) out[name] = await call();
  return out;
}

const DENIED_S3 = 'AccessDenied';
const DENIED_JSON = 'AccessDeniedException';

describe('direct calls to the stand-ins, per principal (DESIGN.md matrix)', () => {
  it('ManifestOperator reads manifests directly, and nothing else', async () => {
    expect(await row('manifest')).toEqual({
      getManifestObject: 'allowed',
      putManifestObject: DENIED_S3,
      getSecretValue: DENIED_JSON,
      putSecretValue: DENIED_JSON,
      getJobManifest: DENIED_JSON,
      getJobUnlockCode: DENIED_JSON,
    });
  });

  it('UnlockCodeOperator reads unlock codes directly, and nothing else', async () => {
    expect(await row('unlockCode')).toEqual({
      getManifestObject: DENIED_S3,
      putManifestObject: DENIED_S3,
      getSecretValue: 'allowed',
      putSecretValue: DENIED_JSON,
      getJobManifest: DENIED_JSON,
      getJobUnlockCode: DENIED_JSON,
    });
  });

  it('the manifest function reaches GetJobManifest and never reads a manifest back (no s3:GetObject, no Decrypt), nor the secrets or GetJobUnlockCode', async () => {
    expect(await row('manifestFunction')).toMatchObject({
      getManifestObject: DENIED_S3,
      getSecretValue: DENIED_JSON,
      putSecretValue: DENIED_JSON,
      getJobManifest: 'allowed',
      getJobUnlockCode: DENIED_JSON,
    });
    const fn = s3(credentialsOf('manifestFunction'));
    const head = await fn
      .send(new HeadObjectCommand({ Bucket: bucket(), Key: manifestObjectKey(job) }))
      .catch((e: { $metadata: { httpStatusCode: number } }) => e.$metadata.httpStatusCode);
    expect(head).toBe(403);
    // Positive control: the same session reads the tags it wrote on the version it brokered (what its idempotency compares).
    const versionId = sandbox.s3.objects.get(manifestObjectKey(job))![0].versionId;
    const tags = await fn.send(new GetObjectTaggingCommand({ Bucket: bucket(), Key: manifestObjectKey(job), VersionId: versionId }));
    expect(tags.TagSet?.map((t) => t.Key).sort()).toEqual(['fetched-at', 'sha256']);
  });

  it('the unlock-code function reaches GetJobUnlockCode and never reads a code back, nor the bucket or GetJobManifest', async () => {
    expect(await row('unlockCodeFunction')).toMatchObject({
      getManifestObject: DENIED_S3,
      putManifestObject: DENIED_S3,
      getSecretValue: DENIED_JSON,
      getJobManifest: DENIED_JSON,
      getJobUnlockCode: 'allowed',
    });
  });

  it('the outsider, an administrator, reaches neither vault, and (with the SCP) neither credential at Snowball', async () => {
    expect(Object.values(await row('outsider'))).toEqual([DENIED_S3, DENIED_S3, DENIED_JSON, DENIED_JSON, DENIED_JSON, DENIED_JSON]);
    // Its own snowball:* still describes jobs: the SCP guards the credentials, not job metadata.
    expect(await outcome(() => snowball(credentialsOf('outsider')).send(new DescribeJobCommand({ JobId: job })))).toBe('allowed');
  });

  it('the manifest operator, allowed s3:ListBucket, is told 404 for a manifest never stored; a principal without it 403 (as S3 does)', async () => {
    const status = (who: PrincipalName) =>
      s3(credentialsOf(who))
        .send(new HeadObjectCommand({ Bucket: bucket(), Key: manifestObjectKey('JID00000000-0000-4000-8000-000000000000') }))
        .catch((e: { $metadata: { httpStatusCode: number } }) => e.$metadata.httpStatusCode);
    expect(await status('manifest')).toBe(404);
    expect(await status('unlockCode')).toBe(403);
  });
});

describe('authentication at the stand-ins, answered as AWS does', () => {
  const forged = () => ({ ...credentialsOf('unlockCode'), accessKeyId: 'ASIAMADEUPMADEUP1234' });

  it('refuses a made-up access key: UnrecognizedClientException / InvalidAccessKeyId', async () => {
    expect(await directCalls(forged()).getSecretValue()).toBe('UnrecognizedClientException');
    expect(await directCalls(forged()).getJobUnlockCode()).toBe('UnrecognizedClientException');
    expect(await directCalls(forged()).getManifestObject()).toBe('InvalidAccessKeyId');
  });

  it('refuses the right key with a wrong secret: InvalidSignatureException / SignatureDoesNotMatch', async () => {
    const wrong = { ...credentialsOf('unlockCode'), secretAccessKey: 'wrong' };
    expect(await directCalls(wrong).getSecretValue()).toBe('InvalidSignatureException');
    expect(await directCalls({ ...credentialsOf('manifest'), secretAccessKey: 'wrong' }).getManifestObject()).toBe('SignatureDoesNotMatch');
  });

  it("refuses the right key and secret with another session's token, or none", async () => {
    const swapped = { ...credentialsOf('unlockCode'), sessionToken: credentialsOf('manifest').sessionToken };
    expect(await directCalls(swapped).getSecretValue()).toBe('UnrecognizedClientException');
    expect(await directCalls({ ...credentialsOf('unlockCode'), sessionToken: undefined }).getSecretValue()).toBe(
      'UnrecognizedClientException',
    );
  });

  it('refuses a request that merely names the service in its Authorization header (the reported bypass)', async () => {
    const res = await fetch(sandbox.info.vaults.unlockCode.secretsManagerEndpoint, {
      method: 'POST',
      headers: {
        'X-Amz-Target': 'secretsmanager.GetSecretValue',
        'Content-Type': 'application/x-amz-json-1.1',
        Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/${region()}/secretsmanager/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      },
      body: JSON.stringify({ SecretId: secretName() }),
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(text).__type).toBe('UnrecognizedClientException');
    expect(text).not.toContain(sandbox.snowball.jobs.get(job)!.unlockCode);
  });

  it('admits an independent signer (curl --aws-sigv4 for s3) with the operator session, and refuses the outsider', async () => {
    const url = `${sandbox.info.vaults.manifest.s3Endpoint}/${bucket()}/${manifestObjectKey(job)}`;
    const curl = (c: Credentials) =>
      new Promise<string>((resolve) =>
        execFile(
          'curl',
          [
            '-s',
            '-o',
            '/dev/null',
            '-w',
            '%{http_code}',
            '--aws-sigv4',
            `aws:amz:${region()}:s3`,
            '--user',
            `${c.accessKeyId}:${c.secretAccessKey}`,
            '-H',
            `x-amz-security-token: ${c.sessionToken}`,
            url,
          ],
          (_e, out) => resolve(out),
        ),
      );
    expect(await curl(credentialsOf('manifest'))).toBe('200');
    expect(await curl(credentialsOf('outsider'))).toBe('403');
  });
});
