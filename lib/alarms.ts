import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { VaultFunctions } from './vault-functions';
import { METRICS } from '../contract/deployment';
import { OPERATOR_KINDS, VAULTS, type OperatorKind } from '../contract/vaults';
import { LIFECYCLE_ALARM_IDS, stackResourceName } from '../policies/service-publishers';

export interface BrokerAlarmsProps {
  /** Where every alarm notifies. */
  readonly topic: ITopic;
  readonly api: RestApi;
  readonly apiAccessLogs: ILogGroup;
  /** Each vault's functions: the API function's errors and throttles, the others' errors. */
  readonly functions: Record<OperatorKind, VaultFunctions>;
  /** Refused answers (403) within 5 minutes that count as a burst. Default: 10. */
  readonly accessDeniedBurst?: number;
  /** Where alerts EventBridge could not deliver end up. */
  readonly undeliveredAlerts: IQueue;
  /** The lifecycle's notification dead-letter queues, by vault. */
  readonly deadLetterQueues: Partial<Record<OperatorKind, IQueue>>;
  /** Log groups whose `alert:` lines (a secret the broker did not create refused, a secret policy put back) raise VaultIntegrity. Default: none. */
  readonly integrityLogs?: ILogGroup[];
}

/**
 * The alarm id (and name, so fixed) of a schedule or notification function's errors: still the name
 * the function had when `Lifecycle` made it, as a renamed alarm would collide with the one it replaces.
 */
const TRIGGER_ERRORS = {
  schedule: (kind: OperatorKind) => `${VAULTS[kind].name}Reconcile`,
  notification: (kind: OperatorKind) => `${VAULTS[kind].name}Notification`,
} as const;

/**
 * CloudWatch alarms into the alerts topic: API 5XX answers, each function's errors and throttles,
 * a burst of refused (403) answers, the lifecycle's function errors, dead-lettered notifications
 * and jobs a reconcile pass failed on, and vault-integrity alerts (each read is announced by its
 * own detection rule, not an alarm). Missing data is fine: a quiet broker is a healthy one. Each
 * alarm is named after the stack, which is how the alerts topic admits it (policies/service-publishers.ts).
 */
export class BrokerAlarms extends Construct {
  private readonly topic: ITopic;

  constructor(scope: Construct, id: string, props: BrokerAlarmsProps) {
    super(scope, id);
    this.topic = props.topic;
    this.alarm(
      'Api5xx',
      props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      1,
      'The broker API answered with a 5XX',
    );
    for (const kind of OPERATOR_KINDS) {
      const fn = props.functions[kind].api;
      const name = VAULTS[kind].functionId;
      this.alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 1, `The ${name} failed`);
      this.alarm(`${name}Throttles`, fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), 1, `The ${name} was throttled`);
    }
    const undelivered = props.undeliveredAlerts.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: 'Maximum',
    });
    this.alarm(
      'UndeliveredAlerts',
      undelivered,
      1,
      'Alerts could not be delivered to the alerts topic; read them from the dead-letter queue',
    );
    this.alarm(
      'AccessDeniedBurst',
      this.refusals(props.apiAccessLogs),
      props.accessDeniedBurst ?? 10,
      'A burst of refused (403) calls to the broker API',
    );
    this.lifecycleAlarms(props.functions, props.deadLetterQueues);
    const integrity = props.integrityLogs ?? [];
    if (integrity.length > 0) {
      this.alarm(
        'VaultIntegrity',
        this.integrityAlerts(integrity),
        1,
        'The unlock-code function refused a secret it did not create, or put back a vault secret policy someone removed or altered; its "alert:" log line names the job',
      );
    }
  }

  /** Lifecycle failures nobody would otherwise see: a trigger's errors, dead-lettered notifications, failed jobs. */
  private lifecycleAlarms(functions: BrokerAlarmsProps['functions'], deadLetterQueues: BrokerAlarmsProps['deadLetterQueues']): void {
    for (const kind of OPERATOR_KINDS) {
      for (const trigger of ['schedule', 'notification'] as const) {
        const fn = functions[kind][trigger];
        if (!fn) continue;
        const name = TRIGGER_ERRORS[trigger](kind);
        const errors = fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' });
        this.alarm(`Lifecycle${name}Errors`, errors, 1, `The lifecycle's ${name} function failed`);
      }
    }
    for (const kind of OPERATOR_KINDS) {
      const dlq = deadLetterQueues[kind];
      if (!dlq) continue;
      const waiting = dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
      this.alarm(
        LIFECYCLE_ALARM_IDS.deadLetters(kind),
        waiting,
        1,
        `Snowball job notifications for the ${kind} vault were dead-lettered; read them from the queue`,
      );
    }
    for (const kind of OPERATOR_KINDS) {
      const failed = new Metric({
        namespace: METRICS.namespace,
        metricName: METRICS.reconcileFailed,
        dimensionsMap: { service: METRICS.service, [METRICS.vaultDimension]: kind },
        period: Duration.minutes(15),
        statistic: 'Sum',
      });
      this.alarm(
        LIFECYCLE_ALARM_IDS.reconcileFailed(kind),
        failed,
        1,
        `A reconcile pass of the ${kind} vault failed on a job; its log names the job and the error code`,
      );
    }
  }

  /** The functions' `alert:` log lines, one metric over every log group given. */
  private integrityAlerts(logGroups: ILogGroup[]): IMetric {
    const filters = logGroups.map(
      (logGroup, i) =>
        new MetricFilter(this, `IntegrityAlertLines${i}`, {
          logGroup,
          filterPattern: FilterPattern.stringValue('$.event', '=', 'alert:*'),
          metricNamespace: METRICS.namespace,
          metricName: 'VaultIntegrityAlerts',
          metricValue: '1',
        }),
    );
    return filters[0].metric({ period: Duration.minutes(5), statistic: 'Sum' });
  }

  /** 403 answers counted from the API's JSON access log. */
  private refusals(logGroup: ILogGroup): IMetric {
    const filter = new MetricFilter(this, 'AccessDeniedAnswers', {
      logGroup,
      filterPattern: FilterPattern.stringValue('$.status', '=', '403'),
      metricNamespace: METRICS.namespace,
      metricName: 'AccessDeniedAnswers',
      metricValue: '1',
    });
    return filter.metric({ period: Duration.minutes(5), statistic: 'Sum' });
  }

  private alarm(id: string, metric: IMetric, threshold: number, description: string): void {
    const alarm = new Alarm(this, id, {
      alarmName: stackResourceName(Stack.of(this).stackName, id),
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `snowball-credential-broker: ${description}.`,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
  }
}
