import { Duration, Validations, type CfnResource } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BrokerFunction, type BrokerFunctionProps } from './broker-function';
import { TRIGGER_IDS, VAULTS, type OperatorKind, type Trigger, type VaultDescriptor } from '../contract/vaults';
import { actionsOf } from '../policies/grants';

export interface VaultFunctionsProps {
  readonly kind: OperatorKind;
  /** Name of the role every function of the vault runs as; stable so a service control policy can name it. */
  readonly roleName: string;
  /** Whether to make the schedule function (none when reconcile passes are off). Default: true. */
  readonly scheduled?: boolean;
}

/** A notification function's timeout: room for a batch of lifecycle steps, one after the other. */
export const NOTIFICATION_TIMEOUT = Duration.seconds(60);

/** What differs between a vault's functions: what invokes them, how long they run, how many at once. */
const PER_TRIGGER: Record<
  Trigger,
  Pick<BrokerFunctionProps, 'timeout' | 'reservedConcurrency' | 'invokedBy'> & {
    readonly description: (vault: VaultDescriptor) => string;
  }
> = {
  api: {
    description: (v) => `Brokers ${v.brokers} into the ${v.title.toLowerCase()}; it never reads one back`,
    invokedBy: 'api',
  },
  schedule: {
    description: (v) =>
      `Reconciles the ${v.kind} vault with Snowball's job list: captures WithCustomer jobs, retires finished and expired ones`,
    // One pass at a time.
    reservedConcurrency: 1,
    timeout: Duration.minutes(5),
    invokedBy: 'schedule',
  },
  notification: {
    description: (v) => `Acts on Snowball job notifications for the ${v.kind} vault`,
    reservedConcurrency: 2,
    timeout: NOTIFICATION_TIMEOUT,
    invokedBy: 'queue',
  },
};

/**
 * The logical ids the function roles had when each was made beside the API function, at the top of
 * the stack. A role has a fixed name (`roleName`): under a new id CloudFormation would create a
 * second role of the same name before deleting the first, and the upgrade would fail.
 */
const ROLE_LOGICAL_IDS: Record<OperatorKind, string> = {
  manifest: 'ManifestFunctionRoleF5C0C8EE',
  unlockCode: 'UnlockCodeFunctionRole577CB1BC',
};

/**
 * One vault's compute: the role its functions run as and one function per trigger (API, schedule,
 * notification), each from its own entry file (a bundle carries only what its entry needs) over
 * the same core, with the vault's memory. Default settings: the role may write the functions' log
 * groups and call the vault's one Snowball action (plus DescribeJob, ListJobs), nothing else until
 * the vault grants it (`grantBroker`, which also tells every function where the vault is); the
 * API function gets BrokerFunction's defaults, the schedule function runs one pass at a time for
 * up to 5 minutes, the notification function two batches at a time for up to 60 s. `Lifecycle`
 * attaches the schedule and the queue; the stack attaches the API.
 */
export class VaultFunctions extends Construct {
  readonly kind: OperatorKind;
  /** The identity of every function of the vault: the access matrix names this role. */
  readonly role: Role;
  readonly api: BrokerFunction;
  /** Absent when reconcile passes are off. */
  readonly schedule?: BrokerFunction;
  readonly notification: BrokerFunction;

  constructor(scope: Construct, id: string, props: VaultFunctionsProps) {
    super(scope, id);
    this.kind = props.kind;
    const vault = VAULTS[props.kind];
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${vault.functionId} (snowball-credential-broker)`,
    });
    (this.role.node.defaultChild as CfnResource).overrideLogicalId(ROLE_LOGICAL_IDS[props.kind]);
    this.api = this.function('api');
    this.grantSnowball();
    if (props.scheduled ?? true) this.schedule = this.function('schedule');
    this.notification = this.function('notification');
  }

  /** Every function of the vault, API first. */
  get functions(): BrokerFunction[] {
    return [this.api, ...(this.schedule ? [this.schedule] : []), this.notification];
  }

  /** Sets a variable on every function of the vault (a vault's `grantBroker` tells them where it is). */
  addEnvironment(name: string, value: string): void {
    for (const fn of this.functions) fn.addEnvironment(name, value);
  }

  private function(trigger: Trigger): BrokerFunction {
    const vault = VAULTS[this.kind];
    const { description, ...settings } = PER_TRIGGER[trigger];
    return new BrokerFunction(this, TRIGGER_IDS[trigger], {
      entry: vault.entries[trigger],
      description: description(vault),
      memorySize: vault.memorySize,
      role: this.role,
      ...settings,
    });
  }

  /**
   * Lets the functions call the vault's one Snowball action, plus DescribeJob to name a job's state.
   * Snowball supports no resource-level permissions, so the resource is `*`.
   */
  private grantSnowball(): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'SnowballCredentialOfJob', actions: actionsOf(`${this.kind}FunctionSnowball`), resources: ['*'] }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Snowball job actions take no resource-level permissions (Resource must be "*"); the action list is the boundary.',
    });
  }
}
