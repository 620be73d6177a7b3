import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listen, sendAwsJsonError, sendJson } from './http-util';
import type { SandboxPrincipal } from './identities';
import { authorize, jsonRequest, type StandInAuth } from './stand-in-auth';

interface SecretVersion {
  readonly value: string;
  readonly created: Date;
  stages: string[];
}

export interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly kmsKeyId?: string;
  readonly tags: { Key?: string; Value?: string }[];
  /** Versions by id, in creation order. */
  readonly versions: Map<string, SecretVersion>;
  resourcePolicy?: string;
  deletedDate?: Date;
}

export interface SecretsStandIn {
  readonly endpoint: string;
  readonly secrets: Map<string, StoredSecret>;
  /** Schedules a secret for deletion, as `DeleteSecret` with a recovery window would. */
  scheduleDeletion(name: string): boolean;
  close(): Promise<void>;
}

type Input = Record<string, any>;
class AwsError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

const seconds = (d: Date) => d.getTime() / 1000;

/**
 * A stand-in for Secrets Manager speaking JSON 1.1 (`X-Amz-Target: secretsmanager.*`) with the
 * real error types: CreateSecret, DescribeSecret, GetSecretValue, PutSecretValue (idempotent per
 * ClientRequestToken), PutResourcePolicy, DeleteSecret (recovery window or forced), RestoreSecret
 * and TagResource.
 */
export async function startSecretsManager(secretPrefix: string, auth: StandInAuth): Promise<SecretsStandIn> {
  const { region, account } = auth;
  const secrets = new Map<string, StoredSecret>();
  const find = (id: string) => secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id);
  const existing = (id: string) => {
    const secret = find(id);
    if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const live = (id: string) => {
    const secret = existing(id);
    if (secret.deletedDate) {
      throw new AwsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    }
    return secret;
  };

  const operations: Record<string, (input: Input) => unknown> = {
    CreateSecret: (i) => {
      const prior = secrets.get(i.Name);
      if (prior?.deletedDate) throw new AwsError('InvalidRequestException', 'A secret with this name is already scheduled for deletion.');
      if (prior) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${i.Name} already exists.`);
      const arn = `arn:aws:secretsmanager:${region}:${account}:secret:${i.Name}-${randomBytes(3).toString('hex')}`;
      const secret: StoredSecret = { arn, name: i.Name, kmsKeyId: i.KmsKeyId, tags: i.Tags ?? [], versions: new Map() };
      secrets.set(i.Name, secret);
      const versionId = i.SecretString !== undefined ? putValue(secret, i.SecretString, i.ClientRequestToken ?? randomUUID()) : undefined;
      return { ARN: arn, Name: i.Name, VersionId: versionId };
    },
    DescribeSecret: (i) => {
      const s = existing(i.SecretId);
      const stages = Object.fromEntries([...s.versions].map(([id, v]) => [id, v.stages]));
      return { ARN: s.arn, Name: s.name, KmsKeyId: s.kmsKeyId, Tags: s.tags, VersionIdsToStages: stages, ...(s.deletedDate ? { DeletedDate: seconds(s.deletedDate) } : {}) };
    },
    GetSecretValue: (i) => {
      const s = live(i.SecretId);
      const stage = i.VersionStage ?? 'AWSCURRENT';
      const found = [...s.versions].find(([id, v]) => (i.VersionId ? id === i.VersionId : v.stages.includes(stage)));
      if (!found) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${stage}`);
      const [versionId, v] = found;
      return { ARN: s.arn, Name: s.name, VersionId: versionId, SecretString: v.value, VersionStages: v.stages, CreatedDate: seconds(v.created) };
    },
    PutSecretValue: (i) => {
      const s = live(i.SecretId);
      return { ARN: s.arn, Name: s.name, VersionId: putValue(s, i.SecretString, i.ClientRequestToken ?? randomUUID()) };
    },
    PutResourcePolicy: (i) => {
      const s = live(i.SecretId);
      try {
        JSON.parse(i.ResourcePolicy);
      } catch {
        throw new AwsError('MalformedPolicyDocumentException', 'The resource policy is not valid JSON.');
      }
      s.resourcePolicy = i.ResourcePolicy;
      return { ARN: s.arn, Name: s.name };
    },
    DeleteResourcePolicy: (i) => {
      const s = live(i.SecretId);
      s.resourcePolicy = undefined;
      return { ARN: s.arn, Name: s.name };
    },
    DeleteSecret: (i) => {
      const s = existing(i.SecretId);
      if (i.ForceDeleteWithoutRecovery) secrets.delete(s.name);
      else s.deletedDate = new Date(Date.now() + (i.RecoveryWindowInDays ?? 30) * 86_400_000);
      return { ARN: s.arn, Name: s.name, DeletionDate: seconds(s.deletedDate ?? new Date()) };
    },
    RestoreSecret: (i) => {
      const s = existing(i.SecretId);
      s.deletedDate = undefined;
      return { ARN: s.arn, Name: s.name };
    },
    TagResource: (i) => {
      existing(i.SecretId);
      return {};
    },
  };

  /** The secret a request names, by name or ARN, whether or not it exists: AWS authorises before it looks. */
  const nameOf = (operation: string, input: Input): string => {
    const id = String((operation === 'CreateSecret' ? input.Name : input.SecretId) ?? '');
    return find(id)?.name ?? (/^arn:[^:]+:secretsmanager:[^:]*:\d{12}:secret:(.+)-[A-Za-z0-9]{6}$/.exec(id)?.[1] ?? id);
  };
  const decide = (principal: SandboxPrincipal, operation: string, input: Input): string | undefined => {
    const name = nameOf(operation, input);
    const inVault = name.startsWith(secretPrefix) && name.length > secretPrefix.length;
    const secretId = String((operation === 'CreateSecret' ? input.Name : input.SecretId) ?? '');
    return authorize(auth, principal, {
      service: 'secretsmanager',
      operation,
      scope: inVault ? 'unlockCodeSecrets' : undefined,
      resource: `arn:aws:secretsmanager:${region}:${account}:secret:${name}`,
      requestParameters: operation === 'CreateSecret' ? { name: secretId } : { secretId },
    });
  };

  const server = await listen(async (req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
    const request = await jsonRequest<Input>(req, res, auth, 'secretsmanager');
    if (!request) return;
    const { principal, input } = request;
    if (!operations[operation]) return sendAwsJsonError(res, 400, 'UnknownOperationException', `The sandbox does not emulate ${operation || 'that operation'}.`);
    const denied = decide(principal, operation, input);
    if (denied) return sendAwsJsonError(res, 400, 'AccessDeniedException', denied);
    respond(res, operations[operation], input);
  });
  return {
    endpoint: server.url,
    secrets,
    scheduleDeletion: (name) => {
      const s = secrets.get(name);
      if (s) s.deletedDate = new Date(Date.now() + 7 * 86_400_000);
      return s !== undefined;
    },
    close: server.close,
  };
}

function respond(res: ServerResponse, op: (i: Input) => unknown, input: Input): void {
  try {
    sendJson(res, 200, op(input), { 'Content-Type': 'application/x-amz-json-1.1' });
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    sendAwsJsonError(res, err.status, err.type, err.message);
  }
}

/** Stores a value under a ClientRequestToken: the same token and value is the same version. */
function putValue(secret: StoredSecret, value: string, token: string): string {
  const prior = secret.versions.get(token);
  if (prior) {
    if (prior.value !== value) throw new AwsError('ResourceExistsException', 'A version with this ClientRequestToken already exists with a different value.');
    return token;
  }
  for (const v of secret.versions.values()) {
    v.stages = v.stages.includes('AWSCURRENT') ? ['AWSPREVIOUS'] : v.stages.filter((s) => s !== 'AWSPREVIOUS');
  }
  secret.versions.set(token, { value, created: new Date(), stages: ['AWSCURRENT'] });
  return token;
}
