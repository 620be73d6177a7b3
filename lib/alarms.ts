import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { BrokerFunction } from './broker-function';
import { METRICS, OPERATOR_KINDS, type OperatorKind } from './contract';
import { LIFECYCLE_ALARM_IDS, stackResourceName } from './service-publishers';

export interface BrokerAlarmsProps {
  /** Where every alarm notifies. */
  readonly topic: ITopic;
  readonly api: RestApi;
  readonly apiAccessLogs: ILogGroup;
  readonly functions: Record<OperatorKind, BrokerFunction>;
  /** Refused answers (403) within 5 minutes that count as a burst. Default: 10. */
  readonly accessDeniedBurst?: number;
  /** Alarm whenever unlock codes are read through the broker. Default: false. */
  readonly alertOnUnlockCodeRead: boolean;
  /** Where alerts EventBridge could not deliver end up. */
  readonly undeliveredAlerts: IQueue;
  /** The lifecycle's functions (by name) and its notification dead-letter queues (by vault). */
  readonly lifecycle?: {
    readonly functions: Record<string, IFunction>;
    readonly deadLetterQueues: Partial<Record<OperatorKind, IQueue>>;
  };
}


/**
 * CloudWatch alarms into the alerts topic: API 5XX answers, each function's errors and throttles,
 * a burst of refused (403) answers, the lifecycle's function errors, dead-lettered notifications
 * and jobs a reconcile pass failed on, and optionally any unlock-code read. Missing data is fine:
 * a quiet broker is a healthy one. Each alarm is named after the stack, which is how the alerts
 * topic admits it (lib/service-publishers.ts).
 */
export class BrokerAlarms extends Construct {
  private readonly topic: ITopic;

  constructor(scope: Construct, id: string, props: BrokerAlarmsProps) {
    super(scope, id);
    this.topic = props.topic;
    this.alarm('Api5xx', props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }), 1, 'The broker API answered with a 5XX');
    for (const [kind, fn] of Object.entries(props.functions)) {
      const name = kind === 'manifest' ? 'ManifestFunction' : 'UnlockCodeFunction';
      this.alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 1, `The ${name} failed`);
      this.alarm(`${name}Throttles`, fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), 1, `The ${name} was throttled`);
    }
    const undelivered = props.undeliveredAlerts.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
    this.alarm('UndeliveredAlerts', undelivered, 1, 'Alerts could not be delivered to the alerts topic; read them from the dead-letter queue');
    this.alarm('AccessDeniedBurst', this.refusals(props.apiAccessLogs), props.accessDeniedBurst ?? 10, 'A burst of refused (403) calls to the broker API');
    if (props.lifecycle) this.lifecycleAlarms(props.lifecycle);
    if (props.alertOnUnlockCodeRead) {
      const reads = new Metric({
        namespace: METRICS.namespace,
        metricName: METRICS.read,
        dimensionsMap: { service: METRICS.service, [METRICS.vaultDimension]: 'unlockCode' },
        period: Duration.minutes(1),
        statistic: 'Sum',
      });
      this.alarm('UnlockCodeRead', reads, 1, 'Unlock codes were read through the broker this minute; the audit log names each reader');
    }
  }

  /** Lifecycle failures nobody would otherwise see: a trigger's errors, dead-lettered notifications, failed jobs. */
  private lifecycleAlarms(lifecycle: NonNullable<BrokerAlarmsProps['lifecycle']>): void {
    for (const [name, fn] of Object.entries(lifecycle.functions)) {
      this.alarm(`Lifecycle${name}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 1, `The lifecycle's ${name} function failed`);
    }
    for (const [kind, dlq] of Object.entries(lifecycle.deadLetterQueues)) {
      const waiting = dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
      this.alarm(LIFECYCLE_ALARM_IDS.deadLetters(kind), waiting, 1, `Snowball job notifications for the ${kind} vault were dead-lettered; read them from the queue`);
    }
    for (const kind of OPERATOR_KINDS) {
      const failed = new Metric({
        namespace: METRICS.namespace,
        metricName: METRICS.reconcileFailed,
        dimensionsMap: { service: METRICS.service, [METRICS.vaultDimension]: kind },
        period: Duration.minutes(15),
        statistic: 'Sum',
      });
      this.alarm(LIFECYCLE_ALARM_IDS.reconcileFailed(kind), failed, 1, `A reconcile pass of the ${kind} vault failed on a job; its log names the job and the error code`);
    }
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
