import { CfnOutput, DefaultStackSynthesizer, Fn, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { AccountRootPrincipal, ArnPrincipal, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BrokerApi } from './broker-api';
import type { BrokerConfig } from './config';
import { BrokerAlarms } from './alarms';
import { OUTPUTS, STABLE_NAMES } from '../contract/deployment';
import { mapKinds, VAULTS } from '../contract/vaults';
import { Detection } from './detection';
import { Lifecycle } from './lifecycle';
import { ManifestVault } from './manifest-vault';
import { OperatorRoles } from './operator-roles';
import { UnlockCodeVault } from './unlock-code-vault';
import { VaultFunctions } from './vault-functions';

export interface BrokerStackProps extends StackProps {
  readonly config: BrokerConfig;
}

/**
 * Key administrators: the configured ones (else the account's IAM administrators), plus the CDK
 * deployment role, so later deploys can still update the key policies (no lock-out).
 */
/** The CDK deployment role's ARN, when the stack is deployed by the default synthesizer. */
function deployerArns(stack: Stack): string[] {
  return stack.synthesizer instanceof DefaultStackSynthesizer ? [Fn.sub(stack.synthesizer.cloudFormationExecutionRoleArn)] : [];
}

function keyAdmins(stack: Stack, config: BrokerConfig): IPrincipal[] {
  const admins: IPrincipal[] = config.keyAdminPrincipals.length
    ? config.keyAdminPrincipals.map((arn) => new ArnPrincipal(arn))
    : [new AccountRootPrincipal()];
  return [...admins, ...deployerArns(stack).map((arn) => new ArnPrincipal(arn))];
}

/**
 * The Snowball credential broker: two vaults, each with its functions (API, schedule, notification), two operator roles and one API, with
 * detection (alerts topic, CloudTrail rules, alarms) around them.
 */
export class BrokerStack extends Stack {
  constructor(scope: Construct, id: string, props: BrokerStackProps) {
    super(scope, id, props);
    const { config } = props;
    const admins = keyAdmins(this, config);
    // What the guardrails cannot name (the keys, the API) they guard by this tag, itself guarded.
    Tags.of(this).add(STABLE_NAMES.guardTag.key, STABLE_NAMES.guardTag.value);

    const operators = new OperatorRoles(this, 'Operators', {
      manifestPrincipals: config.manifestOperatorPrincipals,
      unlockCodePrincipals: config.unlockCodeOperatorPrincipals,
      roleNames: mapKinds((kind) => STABLE_NAMES.operatorRole(kind, this.region)),
    });
    // Who, besides the functions, may bring a retired credential back: the deployer and break-glass.
    const restorers = [...deployerArns(this), ...(config.breakGlassRoleArn ? [config.breakGlassRoleArn] : [])];
    const manifestVault = new ManifestVault(this, 'ManifestVault', {
      retentionDays: config.retentionDays,
      keyAdmins: admins,
      restorerArns: restorers,
    });
    const unlockCodeVault = new UnlockCodeVault(this, 'UnlockCodeVault', {
      secretPrefix: config.secretPrefix,
      keyAdmins: admins,
      retireRecoveryDays: config.retireRecoveryDays,
      restorerArns: restorers,
    });

    // Each vault's compute: one role and one function per trigger, granted by the vault once.
    const functions = mapKinds(
      (kind) =>
        new VaultFunctions(this, VAULTS[kind].functionsId, {
          kind,
          roleName: STABLE_NAMES.functionRole(kind, this.region),
          scheduled: config.captureIntervalMinutes > 0,
        }),
    );
    const { manifest: manifestFunctions, unlockCode: unlockCodeFunctions } = functions;

    manifestVault.grantBroker(manifestFunctions);
    manifestVault.grantRead(operators.manifest);
    manifestVault.denyTo(operators.unlockCode);
    unlockCodeVault.grantBroker(unlockCodeFunctions, operators.unlockCode);
    unlockCodeVault.grantRead(operators.unlockCode);
    unlockCodeVault.denyTo(operators.manifest);

    const api = new BrokerApi(this, 'BrokerApi', {
      functions: mapKinds((kind) => functions[kind].api),
      operators: { manifest: operators.manifest, unlockCode: operators.unlockCode },
      readTargets: { bucketName: manifestVault.bucket.bucketName, secretPrefix: config.secretPrefix },
    });
    const lifecycle = new Lifecycle(this, 'Lifecycle', {
      functions,
      captureIntervalMinutes: config.captureIntervalMinutes,
      keyAdmins: admins,
    });

    const detection = new Detection(this, 'Detection', {
      subjects: {
        manifestFunctionRoleArn: manifestFunctions.role.roleArn,
        unlockCodeFunctionRoleArn: unlockCodeFunctions.role.roleArn,
        unlockCodeOperatorRoleArn: operators.unlockCode.roleArn,
        vaultKeyArns: [manifestVault.key.key.keyArn, unlockCodeVault.key.key.keyArn],
        manifestBucketName: manifestVault.bucket.bucketName,
        secretPrefix: config.secretPrefix,
        breakGlassRoleArn: config.breakGlassRoleArn,
        brokerKeyArns: [manifestVault.key.key.keyArn, unlockCodeVault.key.key.keyArn, lifecycle.notificationTopic.masterKey!.keyArn],
        restApiId: api.api.restApiId,
      },
      alertEmails: config.alertEmails,
      manifestBucket: manifestVault.bucket,
      accessLogs: manifestVault.accessLogs,
      managementTrail: config.managementTrail,
      manifestReadTrail: config.manifestReadTrail,
      keyAdmins: admins,
    });
    new BrokerAlarms(this, 'Alarms', {
      topic: detection.topic,
      api: api.api,
      apiAccessLogs: api.accessLogs,
      // Where the unlock-code functions report a foreign secret refused or a secret policy put back.
      integrityLogs: unlockCodeFunctions.functions.map((fn) => fn.logGroup),
      functions,
      undeliveredAlerts: detection.undelivered,
      deadLetterQueues: lifecycle.deadLetterQueues,
    });

    const outputs: Record<keyof typeof OUTPUTS, string> = {
      apiUrl: api.api.url,
      manifestBucketName: manifestVault.bucket.bucketName,
      manifestKeyArn: manifestVault.key.key.keyArn,
      unlockCodeKeyArn: unlockCodeVault.key.key.keyArn,
      unlockCodeSecretPrefix: config.secretPrefix,
      manifestOperatorRoleArn: operators.manifest.roleArn,
      unlockCodeOperatorRoleArn: operators.unlockCode.roleArn,
      manifestFunctionRoleArn: manifestFunctions.role.roleArn,
      unlockCodeFunctionRoleArn: unlockCodeFunctions.role.roleArn,
      alertTopicArn: detection.topic.topicArn,
      jobNotificationTopicArn: lifecycle.notificationTopic.topicArn,
    };
    for (const [name, value] of Object.entries(outputs)) {
      new CfnOutput(this, OUTPUTS[name as keyof typeof OUTPUTS], { value });
    }
  }
}
