import type { OperatorKind } from '../contract/vaults';
import { alertPublishers, LIFECYCLE_ALARM_IDS, stackResourceName, type ServicePublisher } from '../policies/service-publishers';
import { GuardedTopic } from './delivery-policy';
import type { SandboxTrail } from './trail';

/** The stack's name in the sandbox: the deployed app's, so every name matches what `cdk deploy` creates. */
export const SANDBOX_STACK = 'SnowballCredentialBroker';

type State = 'OK' | 'ALARM';

/** Where the sandbox's alarms and topics live. */
export interface AlarmPlace {
  readonly region: string;
  readonly account: string;
}

/**
 * The lifecycle's alarms, emulated: a reconcile pass that failed on a job and a dead-lettered
 * notification put their alarm in ALARM, as CloudWatch would, and the alarm notifies the alerts
 * topic as `cloudwatch.amazonaws.com`. The topic and its key judge that delivery with the stack's
 * own statements: an alarm the topic does not admit lands in the undelivered list, not the alerts.
 */
export class SandboxAlarms {
  private readonly states = new Map<string, State>();
  private readonly topic: GuardedTopic;

  constructor(
    private readonly place: AlarmPlace,
    private readonly trail: SandboxTrail,
    publishers: readonly ServicePublisher[] = alertPublishers({ partition: 'aws', ...place, stackName: SANDBOX_STACK }),
  ) {
    const topicArn = `arn:aws:sns:${place.region}:${place.account}:${stackResourceName(SANDBOX_STACK, 'Alerts')}`;
    this.topic = new GuardedTopic({ topicArn, account: place.account }, publishers);
  }

  /** After each reconcile pass: its ReconcileFailed alarm follows the pass's failures. */
  observePass(kind: OperatorKind, summary: { failed: number } | undefined): void {
    if (!summary) return;
    const failing = summary.failed > 0;
    this.set(
      LIFECYCLE_ALARM_IDS.reconcileFailed(kind),
      failing ? 'ALARM' : 'OK',
      `${summary.failed} job(s) failed in the last reconcile pass of the ${kind} vault`,
    );
  }

  /** After a notification is dead-lettered: the dead-letter queue's alarm. */
  observeDeadLetters(kind: OperatorKind, count: number): void {
    this.set(
      LIFECYCLE_ALARM_IDS.deadLetters(kind),
      count > 0 ? 'ALARM' : 'OK',
      `${count} job notification(s) dead-lettered for the ${kind} vault`,
    );
  }

  /** Current state of every alarm that changed, by name. */
  list(): Record<string, State> {
    return Object.fromEntries(this.states);
  }

  private set(id: string, state: State, reason: string): void {
    const name = stackResourceName(SANDBOX_STACK, id);
    const previous = this.states.get(name) ?? 'OK';
    this.states.set(name, state);
    if (state === previous || state !== 'ALARM') return;
    const alarmArn = `arn:aws:cloudwatch:${this.place.region}:${this.place.account}:alarm:${name}`;
    const at = new Date().toISOString();
    const refusal = this.topic.refusal('cloudwatch.amazonaws.com', alarmArn, this.place.account);
    if (refusal) {
      this.trail.undelivered.push({
        topicArn: this.topic.place.topicArn,
        service: 'cloudwatch.amazonaws.com',
        sourceArn: alarmArn,
        reason: refusal,
        at,
      });
      return;
    }
    this.trail.deliver({
      alert: 'AlarmStateChange',
      alarm: name,
      state,
      reason,
      at,
      account: this.place.account,
      region: this.place.region,
    });
  }
}
