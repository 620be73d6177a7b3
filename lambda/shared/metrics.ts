import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type ErrorCode } from '../../contract/api';
import { METRICS } from '../../contract/deployment';
import { type OperatorKind } from '../../contract/vaults';

/** Built once per execution environment; flushed after every request. */
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service });

/**
 * One request's outcome as CloudWatch embedded metrics: `Brokered` per vault (the only request a
 * function answers with success and counts is a POST: a GET of a credential never reaches a
 * function, and a fleet listing is not counted), or `Failed` per vault and again per vault and
 * error code. Only closed sets become dimensions: never a job id, caller or secret.
 */
export function recordOutcome(vault: OperatorKind, failure?: ErrorCode): void {
  metrics.addDimension(METRICS.vaultDimension, vault);
  if (failure === undefined) {
    metrics.addMetric(METRICS.brokered, MetricUnit.Count, 1);
  } else {
    metrics.addMetric(METRICS.failed, MetricUnit.Count, 1);
    metrics
      .singleMetric()
      .addDimensions({ [METRICS.vaultDimension]: vault, [METRICS.errorCodeDimension]: failure })
      .addMetric(METRICS.failed, MetricUnit.Count, 1);
  }
  metrics.publishStoredMetrics();
}

/** One reconcile pass's counts, per vault: `Captured`, `Retired`, `ReconcileFailed`, `Deferred`. */
export function recordPass(vault: OperatorKind, counts: { captured: number; retired: number; failed: number; deferred: number }): void {
  metrics.addDimension(METRICS.vaultDimension, vault);
  metrics.addMetric('Captured', MetricUnit.Count, counts.captured);
  metrics.addMetric('Retired', MetricUnit.Count, counts.retired);
  metrics.addMetric(METRICS.reconcileFailed, MetricUnit.Count, counts.failed);
  metrics.addMetric('Deferred', MetricUnit.Count, counts.deferred);
  metrics.publishStoredMetrics();
}
