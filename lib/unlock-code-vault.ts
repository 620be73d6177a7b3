import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IPrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DEFAULTS, STABLE_NAMES } from '../contract/deployment';
import { functionEnv } from '../contract/function-env';
import { actionsOf, KEY_GRANTS } from '../policies/grants';
import { acknowledgeWildcardResource } from './nag';
import type { VaultFunctions } from './vault-functions';
import { VaultKey } from './vault-key';

export interface UnlockCodeVaultProps {
  /** Name prefix of the secrets; a job's secret is `prefix + jobId`. */
  readonly secretPrefix: string;
  /** Principals that administer the vault's key (never use it). */
  readonly keyAdmins: IPrincipal[];
  /** Days a retired secret stays recoverable (7–30). Default: 30. */
  readonly retireRecoveryDays?: number;
  /** ARNs besides the function that may restore or rotate a secret (the deployer, break-glass). Default: none. */
  readonly restorerArns?: string[];
}

/**
 * The unlock-code vault: one Secrets Manager secret per job under a fixed prefix, encrypted with
 * its own rotating key. The secrets are created at run time by the unlock-code function, which
 * puts a resource policy on each (see `lambda/unlock-code/secret-policy.ts`) before any value.
 */
export class UnlockCodeVault extends Construct {
  readonly key: VaultKey;
  readonly secretPrefix: string;
  private readonly retireRecoveryDays: number;
  private readonly restorerArns: string[];

  constructor(scope: Construct, id: string, props: UnlockCodeVaultProps) {
    super(scope, id);
    this.secretPrefix = props.secretPrefix;
    this.retireRecoveryDays = props.retireRecoveryDays ?? DEFAULTS.retireRecoveryDays;
    this.restorerArns = props.restorerArns ?? [];
    this.key = new VaultKey(this, 'Key', {
      description: 'snowball-credential-broker: encrypts Snowball unlock codes',
      service: 'secretsmanager',
      admins: props.keyAdmins,
      alias: STABLE_NAMES.keyAlias('unlockCode'),
    });
  }

  /** ARN pattern of every secret in the vault (Secrets Manager appends a random 6-character suffix). */
  get secretsArn(): string {
    return Arn.format(
      { service: 'secretsmanager', resource: 'secret', resourceName: `${this.secretPrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
      Stack.of(this),
    );
  }

  private acknowledgePrefix(role: IRole): void {
    acknowledgeWildcardResource(
      role,
      this.secretsArn,
      'One secret per Snowball job under the vault prefix; job ids (and the random ARN suffix) are not known at deploy time.',
    );
  }

  /** What every function of the vault (API, schedule, notification) running as `role` is told. */
  private functionEnv(role: IRole, reader: IRole): Record<string, string> {
    return functionEnv('unlockCode', {
      secretPrefix: this.secretPrefix,
      keyArn: this.key.key.keyArn,
      readerRoleArn: reader.roleArn,
      brokerRoleArn: role.roleArn,
      restorerArns: this.restorerArns,
      retireRecoveryDays: this.retireRecoveryDays,
    });
  }

  /**
   * Lets the vault's functions (their one role) create, fill, restore and retire the vault's
   * secrets, never read one: no GetSecretValue, and the key lets them encrypt only (plus Secrets
   * Manager's key-access check). Tells every one of them where the vault is and that `reader` is
   * the one role the secrets' policy lets read.
   */
  grantBroker(functions: VaultFunctions, reader: IRole): void {
    const { role } = functions;
    for (const [name, value] of Object.entries(this.functionEnv(role, reader))) functions.addEnvironment(name, value);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'KeepUnlockCodeSecrets',
        actions: actionsOf('unlockCodeFunctionSecrets'),
        resources: [this.secretsArn],
      }),
    );
    this.acknowledgePrefix(role);
    this.key.allow(role, 'UnlockCodeFunctionEncryptsThroughSecretsManager', KEY_GRANTS.unlockCodeFunctionKey);
  }

  /** Lets an operator role read unlock codes (and decrypt them, through Secrets Manager only). */
  grantRead(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadUnlockCodes',
        actions: actionsOf('unlockCodeOperatorSecrets'),
        resources: [this.secretsArn],
      }),
    );
    this.acknowledgePrefix(role);
    this.key.allow(role, 'UnlockCodeOperatorDecryptsThroughSecretsManager', KEY_GRANTS.unlockCodeOperatorKey);
  }

  /** Denies a role every read of this vault, whatever else it is granted later. */
  denyTo(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'NeverReadUnlockCodes',
        effect: Effect.DENY,
        actions: ['secretsmanager:GetSecretValue', 'kms:Decrypt'],
        resources: [this.secretsArn, this.key.key.keyArn],
      }),
    );
  }
}
