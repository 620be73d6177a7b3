import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listen, sendAwsJsonError, sendJson } from './http-util';
import { STABLE_NAMES } from '../contract/deployment';
import { KEY_VALIDATION_VERSION_ID } from '../policies/grants';
import { deniedByResourcePolicy, keyDeniedMessage, mayUseKey } from './access';
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
  readonly createdDate: Date;
  /** As AWS keeps it: any change to the secret (a value, a policy, tags, deletion, restore) moves it. */
  lastChangedDate: Date;
}

export interface SecretsStandIn {
  readonly endpoint: string;
  readonly secrets: Map<string, StoredSecret>;
  /** Schedules a secret for deletion, as `DeleteSecret` with a recovery window would. */
  scheduleDeletion(name: string): boolean;
  close(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a request body is untyped JSON, checked field by field
type Input = Record<string, any>;
class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const seconds = (d: Date) => d.getTime() / 1000;

/**
 * A stand-in for Secrets Manager speaking JSON 1.1 (`X-Amz-Target: secretsmanager.*`) with the
 * real error types: CreateSecret, DescribeSecret, GetSecretValue, PutSecretValue (idempotent per
 * ClientRequestToken), ListSecretVersionIds, UpdateSecretVersionStage, Get/Put/DeleteResourcePolicy,
 * DeleteSecret (recovery window or forced), RestoreSecret and TagResource. Each secret's resource
 * policy is applied, and the vault key's policy decides every use Secrets Manager makes of it on
 * the caller's behalf (policies/grants.ts KEY_GRANTS): no function can read a value back here either.
 */
export async function startSecretsManager(
  secretPrefix: string,
  auth: StandInAuth,
  vaultKeyArn: string,
  vaultKeyAlias = STABLE_NAMES.keyAlias('unlockCode'),
): Promise<SecretsStandIn> {
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

  /** KMS resolves a key id, a key ARN, an alias name or an alias ARN to the same key. */
  const vaultKeyIds = new Set([
    vaultKeyArn,
    vaultKeyArn.slice(vaultKeyArn.indexOf(':key/') + ':key/'.length),
    vaultKeyAlias,
    `arn:aws:kms:${region}:${account}:${vaultKeyAlias}`,
  ]);
  const isVaultKey = (kmsKeyId: string | undefined) => kmsKeyId !== undefined && vaultKeyIds.has(kmsKeyId);
  /**
   * The vault key's decision, for a secret encrypted with it (another key, or the AWS managed
   * one, is the caller's own business): Secrets Manager uses the key on the caller's behalf.
   */
  const useKey = (
    principal: SandboxPrincipal,
    kmsKeyId: string | undefined,
    action: 'kms:Decrypt' | 'kms:GenerateDataKey',
    versionId?: string,
  ) => {
    if (!isVaultKey(kmsKeyId)) return;
    if (!mayUseKey(principal, 'unlockCode', action, versionId))
      throw new AwsError('AccessDeniedException', keyDeniedMessage(principal, action));
  };
  /** The secret's resource policy, as Secrets Manager applies it after the caller's identity policies. */
  const policyAllows = (principal: SandboxPrincipal, secret: StoredSecret, action: string) => {
    if (deniedByResourcePolicy(secret.resourcePolicy, `secretsmanager:${action}`, principal.roleArn)) {
      throw new AwsError(
        'AccessDeniedException',
        `User: ${principal.callerArn} is not authorized to perform: secretsmanager:${action} on resource: ${secret.arn} with an explicit deny in a resource-based policy`,
      );
    }
  };

  const operations: Record<string, (input: Input, principal: SandboxPrincipal) => unknown> = {
    CreateSecret: (i, p) => {
      const prior = secrets.get(i.Name);
      if (prior?.deletedDate) throw new AwsError('InvalidRequestException', 'A secret with this name is already scheduled for deletion.');
      if (prior) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${i.Name} already exists.`);
      // Setting a key: Secrets Manager checks the caller may use it (GenerateDataKey, and Decrypt of a validation context).
      useKey(p, i.KmsKeyId, 'kms:GenerateDataKey');
      useKey(p, i.KmsKeyId, 'kms:Decrypt', KEY_VALIDATION_VERSION_ID);
      const arn = `arn:aws:secretsmanager:${region}:${account}:secret:${i.Name}-${randomBytes(3).toString('hex')}`;
      const now = new Date();
      const secret: StoredSecret = {
        arn,
        name: i.Name,
        kmsKeyId: i.KmsKeyId,
        tags: i.Tags ?? [],
        versions: new Map(),
        createdDate: now,
        lastChangedDate: now,
      };
      secrets.set(i.Name, secret);
      const versionId = i.SecretString !== undefined ? putValue(secret, i.SecretString, i.ClientRequestToken ?? randomUUID()) : undefined;
      return { ARN: arn, Name: i.Name, VersionId: versionId };
    },
    DescribeSecret: (i) => {
      const s = existing(i.SecretId);
      const stages = Object.fromEntries([...s.versions].map(([id, v]) => [id, v.stages]));
      const dates = { CreatedDate: seconds(s.createdDate), LastChangedDate: seconds(s.lastChangedDate) };
      return {
        ARN: s.arn,
        Name: s.name,
        KmsKeyId: s.kmsKeyId,
        Tags: s.tags,
        VersionIdsToStages: stages,
        ...dates,
        ...(s.deletedDate ? { DeletedDate: seconds(s.deletedDate) } : {}),
      };
    },
    GetSecretValue: (i, p) => {
      const s = live(i.SecretId);
      policyAllows(p, s, 'GetSecretValue');
      const stage = i.VersionStage ?? 'AWSCURRENT';
      const found = [...s.versions].find(([id, v]) => (i.VersionId ? id === i.VersionId : v.stages.includes(stage)));
      if (!found)
        throw new AwsError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
        );
      const [versionId, v] = found;
      useKey(p, s.kmsKeyId, 'kms:Decrypt', versionId);
      return {
        ARN: s.arn,
        Name: s.name,
        VersionId: versionId,
        SecretString: v.value,
        VersionStages: v.stages,
        CreatedDate: seconds(v.created),
      };
    },
    PutSecretValue: (i, p) => {
      const s = live(i.SecretId);
      policyAllows(p, s, 'PutSecretValue');
      const token = i.ClientRequestToken ?? randomUUID();
      // A repeated token: Secrets Manager decrypts the stored version to compare it with the request.
      useKey(p, s.kmsKeyId, s.versions.has(token) ? 'kms:Decrypt' : 'kms:GenerateDataKey', s.versions.has(token) ? token : undefined);
      return { ARN: s.arn, Name: s.name, VersionId: putValue(s, i.SecretString, token) };
    },
    ListSecretVersionIds: (i) => {
      const s = existing(i.SecretId);
      const versions = [...s.versions].filter(([, v]) => i.IncludeDeprecated || v.stages.length > 0);
      return {
        ARN: s.arn,
        Name: s.name,
        Versions: versions.map(([id, v]) => ({ VersionId: id, VersionStages: v.stages, CreatedDate: seconds(v.created) })),
      };
    },
    UpdateSecretVersionStage: (i, p) => {
      const s = live(i.SecretId);
      policyAllows(p, s, 'UpdateSecretVersionStage');
      const target = s.versions.get(i.MoveToVersionId);
      if (!target) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret version.");
      const holder = [...s.versions].find(([, v]) => v.stages.includes(i.VersionStage));
      if (holder && holder[0] !== i.MoveToVersionId && holder[0] !== i.RemoveFromVersionId) {
        throw new AwsError(
          'InvalidParameterException',
          `The staging label ${i.VersionStage} is attached to another version; name it in RemoveFromVersionId.`,
        );
      }
      for (const v of s.versions.values()) {
        if (i.VersionStage === 'AWSCURRENT' && v.stages.includes('AWSCURRENT') && v !== target) v.stages = ['AWSPREVIOUS'];
        else if (i.VersionStage === 'AWSCURRENT' && v !== target) v.stages = v.stages.filter((x) => x !== 'AWSPREVIOUS');
      }
      target.stages = [...target.stages.filter((x) => x !== 'AWSPREVIOUS' && x !== i.VersionStage), i.VersionStage];
      return { ARN: s.arn, Name: s.name };
    },
    GetResourcePolicy: (i) => {
      const s = existing(i.SecretId);
      return { ARN: s.arn, Name: s.name, ...(s.resourcePolicy !== undefined ? { ResourcePolicy: s.resourcePolicy } : {}) };
    },
    DeleteResourcePolicy: (i) => {
      const s = existing(i.SecretId);
      s.resourcePolicy = undefined;
      s.lastChangedDate = new Date();
      return { ARN: s.arn, Name: s.name };
    },
    PutResourcePolicy: (i) => {
      const s = live(i.SecretId);
      try {
        JSON.parse(i.ResourcePolicy);
      } catch {
        throw new AwsError('MalformedPolicyDocumentException', 'The resource policy is not valid JSON.');
      }
      s.resourcePolicy = i.ResourcePolicy;
      s.lastChangedDate = new Date();
      return { ARN: s.arn, Name: s.name };
    },
    DeleteSecret: (i) => {
      const s = existing(i.SecretId);
      if (i.ForceDeleteWithoutRecovery) secrets.delete(s.name);
      else s.deletedDate = new Date(Date.now() + (i.RecoveryWindowInDays ?? 30) * 86_400_000);
      s.lastChangedDate = new Date();
      return { ARN: s.arn, Name: s.name, DeletionDate: seconds(s.deletedDate ?? new Date()) };
    },
    RestoreSecret: (i, p) => {
      const s = existing(i.SecretId);
      policyAllows(p, s, 'RestoreSecret');
      s.deletedDate = undefined;
      s.lastChangedDate = new Date();
      return { ARN: s.arn, Name: s.name };
    },
    TagResource: (i) => {
      existing(i.SecretId).lastChangedDate = new Date();
      return {};
    },
  };

  /** The secret a request names, by name or ARN, whether or not it exists: AWS authorises before it looks. */
  const nameOf = (operation: string, input: Input): string => {
    const id = String((operation === 'CreateSecret' ? input.Name : input.SecretId) ?? '');
    return find(id)?.name ?? /^arn:[^:]+:secretsmanager:[^:]*:\d{12}:secret:(.+)-[A-Za-z0-9]{6}$/.exec(id)?.[1] ?? id;
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
    if (!operations[operation])
      return sendAwsJsonError(res, 400, 'UnknownOperationException', `The sandbox does not emulate ${operation || 'that operation'}.`);
    const invalid = invalidVersionIds(input);
    if (invalid) return sendAwsJsonError(res, 400, 'ValidationException', invalid);
    const denied = decide(principal, operation, input);
    if (denied) return sendAwsJsonError(res, 400, 'AccessDeniedException', denied);
    respond(res, () => operations[operation](input, principal));
  });
  return {
    endpoint: server.url,
    secrets,
    scheduleDeletion: (name) => {
      const s = secrets.get(name);
      if (s) {
        s.deletedDate = new Date(Date.now() + 7 * 86_400_000);
        s.lastChangedDate = new Date();
      }
      return s !== undefined;
    },
    close: server.close,
  };
}

/** Request members that are version ids, which AWS constrains to 32 to 64 characters. */
const VERSION_ID_MEMBERS = ['ClientRequestToken', 'VersionId', 'MoveToVersionId', 'RemoveFromVersionId'];

/** What AWS's input validation says of a version id outside 32-64 characters (before any authorisation), or undefined. */
function invalidVersionIds(input: Input): string | undefined {
  const errors = VERSION_ID_MEMBERS.filter(
    (m) => input[m] !== undefined && (typeof input[m] !== 'string' || input[m].length < 32 || input[m].length > 64),
  ).map(
    (m) =>
      `Value at '${m[0].toLowerCase()}${m.slice(1)}' failed to satisfy constraint: Member must have length ${String(input[m]).length < 32 ? 'greater than or equal to 32' : 'less than or equal to 64'}`,
  );
  return errors.length ? `${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}` : undefined;
}

function respond(res: ServerResponse, op: () => unknown): void {
  try {
    sendJson(res, 200, op(), { 'Content-Type': 'application/x-amz-json-1.1' });
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    sendAwsJsonError(res, err.status, err.type, err.message);
  }
}

/** Stores a value under a ClientRequestToken: the same token and value is the same version. */
function putValue(secret: StoredSecret, value: string, token: string): string {
  const prior = secret.versions.get(token);
  if (prior) {
    if (prior.value !== value)
      throw new AwsError('ResourceExistsException', 'A version with this ClientRequestToken already exists with a different value.');
    return token;
  }
  for (const v of secret.versions.values()) {
    v.stages = v.stages.includes('AWSCURRENT') ? ['AWSPREVIOUS'] : v.stages.filter((s) => s !== 'AWSPREVIOUS');
  }
  secret.versions.set(token, { value, created: new Date(), stages: ['AWSCURRENT'] });
  secret.lastChangedDate = new Date();
  return token;
}
