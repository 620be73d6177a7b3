import { Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement, type IPrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { Alias, Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { KeyGrant } from '../policies/grants';

/** Key administration without any cryptographic use. `kms:CreateGrant` is left out: a grant is use. */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** Every action that uses key material, directly or through a grant. */
export const KEY_USE_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:CreateGrant'];

export interface VaultKeyProps {
  /** What the key protects, shown in the KMS console. */
  readonly description: string;
  /** The only service through which the key may be used (`s3`, `secretsmanager`). */
  readonly service: string;
  /** Principals that administer the key. They can never use it. */
  readonly admins: IPrincipal[];
  /** A stable alias, by which a service control policy can name the key. */
  readonly alias: string;
}

/**
 * A customer-managed key for one vault, rotating yearly and retained on stack deletion. Its policy
 * does not delegate to the account, so identity policies such as `kms:*` grant nothing; it names
 * each role that may use it, and explicitly denies use to everyone else and outside its service.
 */
export class VaultKey extends Construct {
  readonly key: Key;
  private readonly users: IRole[] = [];
  private readonly service: string;

  constructor(scope: Construct, id: string, props: VaultKeyProps) {
    super(scope, id);
    this.service = props.service;
    this.key = new Key(this, 'Key', {
      description: props.description,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new PolicyDocument(),
    });
    new Alias(this, 'Alias', { aliasName: props.alias, targetKey: this.key });
    const key = this.key;
    key.addToResourcePolicy(
      new PolicyStatement({ sid: 'KeyAdministration', principals: props.admins, actions: KEY_ADMIN_ACTIONS, resources: ['*'] }),
    );
    key.addToResourcePolicy(
      this.denyStatement('DenyUseToAllOthers', {
        ArnNotEquals: { 'aws:PrincipalArn': this.userArns() },
      }),
    );
    key.addToResourcePolicy(
      this.denyStatement('DenyUseOutsideVaultService', {
        StringNotEquals: { 'kms:ViaService': this.viaService() },
      }),
    );
  }

  /** ARNs of the roles allowed to use the key, resolved at synth (after every `allow`). */
  userArns(): string[] {
    return Lazy.list({ produce: () => this.users.map((r) => r.roleArn) });
  }

  private viaService(): string {
    return `${this.service}.${Stack.of(this).region}.amazonaws.com`;
  }

  private denyStatement(sid: string, conditions: Record<string, unknown>): PolicyStatement {
    return new PolicyStatement({
      sid,
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: KEY_USE_ACTIONS,
      resources: ['*'],
      conditions,
    });
  }

  /**
   * Lets `role` use the key as `grants` say (policies/grants.ts KEY_GRANTS), only through the vault's
   * service and only from this account; a grant limited to one encryption-context version id
   * gets that condition too.
   */
  allow(role: IRole, sid: string, grants: readonly KeyGrant[]): void {
    this.users.push(role);
    grants.forEach((grant, i) => {
      const only = grant.onlySecretVersionId === undefined ? {} : { 'kms:EncryptionContext:SecretVersionId': grant.onlySecretVersionId };
      this.key.addToResourcePolicy(
        new PolicyStatement({
          sid: i === 0 ? sid : `${sid}${i}`,
          principals: [role],
          actions: [...grant.actions],
          resources: ['*'],
          conditions: {
            StringEquals: {
              'kms:ViaService': this.viaService(),
              'kms:CallerAccount': Stack.of(this).account,
              ...only,
            },
          },
        }),
      );
    });
  }
}
