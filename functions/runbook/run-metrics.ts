// What a run is worth on a dashboard and to an alarm: RTO, RPO, outcome, per-step durations, one
// "needs attention" signal for a drill (or game day) that failed or missed an objective, and one
// count per report sink (S3, SNS, metrics, history) that could not take the report.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RunReport, SinkFailure } from './report-types.ts';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** The part of Powertools' Metrics the report uses (injected, so tests can record it). */
export interface RunMetrics {
  addDimensions(dimensions: Record<string, string>): void;
  addMetric(name: string, unit: Unit, value: number): void;
  singleMetric(): {
    addDimensions(dimensions: Record<string, string>): void;
    addMetric(name: string, unit: Unit, value: number): void;
  };
}

export const METRIC_NAMESPACE = 'DrRunbook';
export const METRICS = {
  rto: 'RtoSeconds',
  rpo: 'RpoSeconds',
  succeeded: 'RunSucceeded',
  objectiveMissed: 'ObjectiveMissed',
  needsAttention: 'NeedsAttention',
  step: 'StepSeconds',
  sinkFailed: 'ReportSinkFailed',
} as const;

/**
 * A run that found something to fix: a drill that failed, died or missed an objective, a dry-run
 * that is not ready, a revert that left something behind, any run whose lock was not released.
 */
export function needsAttention(report: RunReport): boolean {
  if (report.lockProblem !== undefined) return true;
  if (report.mode === 'dry-run') return report.outcome === 'not-ready';
  return (
    report.outcome === 'failed' ||
    report.outcome === 'aborted' ||
    report.rto.met === false ||
    report.rpo.met === false
  );
}

export function emitRunMetrics(metrics: RunMetrics, report: RunReport): void {
  const dimensions = { plan: report.plan, mode: report.mode };
  metrics.addDimensions(dimensions);
  if (report.rto.achievedSeconds !== null)
    metrics.addMetric(METRICS.rto, MetricUnit.Seconds, report.rto.achievedSeconds);
  if (report.rpo.achievedSeconds !== null)
    metrics.addMetric(METRICS.rpo, MetricUnit.Seconds, report.rpo.achievedSeconds);
  const succeeded = report.outcome === 'succeeded' || report.outcome === 'ready';
  metrics.addMetric(METRICS.succeeded, MetricUnit.Count, succeeded ? 1 : 0);
  const missed = report.rto.met === false || report.rpo.met === false;
  metrics.addMetric(METRICS.objectiveMissed, MetricUnit.Count, missed ? 1 : 0);
  metrics.addMetric(METRICS.needsAttention, MetricUnit.Count, needsAttention(report) ? 1 : 0);
  for (const row of report.timeline) {
    const step = metrics.singleMetric();
    step.addDimensions({ ...dimensions, step: row.step });
    step.addMetric(METRICS.step, MetricUnit.Seconds, (row.endMs - row.startMs) / 1000);
  }
}

/** One ReportSinkFailed (by plan and sink) per sink that could not take the report. */
export function emitSinkFailures(metrics: RunMetrics, plan: string, failures: readonly SinkFailure[]): void {
  for (const { sink } of failures) {
    const metric = metrics.singleMetric();
    metric.addDimensions({ plan, sink });
    metric.addMetric(METRICS.sinkFailed, MetricUnit.Count, 1);
  }
}
