// ReplicationLatency of a global table into the recovery region: how far the recovery replica is
// behind, which is what a failover at that moment would lose (the RPO). CloudWatch namespace
// AWS/DynamoDB, dimensions TableName and ReceivingRegion, unit milliseconds; read in the recovery
// region only (the primary region is never called).
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { awsCall } from '../shared/aws-errors.ts';
import type { DatabaseClients } from './clients.ts';

/**
 * Window searched for datapoints. DynamoDB emits ReplicationLatency only while items replicate and
 * aggregates most of its metrics over five minutes, so a shorter window often holds none.
 */
export const LATENCY_WINDOW_SECONDS = 600;

export interface LatencyDatapoint {
  timestamp: Date;
  /** Maximum ReplicationLatency in the period, in milliseconds. */
  milliseconds: number;
}

/** One-minute Maximum ReplicationLatency datapoints into `receivingRegion`, oldest first. */
export async function replicationLatencyDatapoints(
  cloudwatch: DatabaseClients['cloudwatch'],
  tableName: string,
  receivingRegion: string,
  now: Date,
  windowSeconds = LATENCY_WINDOW_SECONDS,
): Promise<LatencyDatapoint[]> {
  const out = await awsCall(
    {
      resource: `ReplicationLatency metric of DynamoDB table ${tableName} into ${receivingRegion}`,
      operation: 'get metric statistics',
    },
    () =>
      cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/DynamoDB',
          MetricName: 'ReplicationLatency',
          Dimensions: [
            { Name: 'TableName', Value: tableName },
            { Name: 'ReceivingRegion', Value: receivingRegion },
          ],
          StartTime: new Date(now.getTime() - windowSeconds * 1000),
          EndTime: now,
          Period: 60,
          Statistics: ['Maximum'],
        }),
      ),
  );
  return (out.Datapoints ?? [])
    .flatMap((point) =>
      point.Timestamp && point.Maximum !== undefined
        ? [{ timestamp: point.Timestamp, milliseconds: point.Maximum }]
        : [],
    )
    .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
}

/** Milliseconds as whole seconds, rounded up: an RPO is never reported better than it was. */
export function wholeSecondsUp(milliseconds: number): number {
  return Math.ceil(Math.max(0, milliseconds) / 1000);
}

export type LatencyMeasurement =
  | { rpoSeconds: number; replicationLatencyMs: number; rpoMeasuredAt: string }
  | { note: string };

/**
 * RPO of a recovery onto the replica = its newest ReplicationLatency. Never throws: a missing or
 * unreadable metric (the SDK has already retried throttling) is a note, never a reason to delay
 * the recovery, and never replaced by another number.
 */
export async function rpoFromReplicationLatency(
  cloudwatch: DatabaseClients['cloudwatch'],
  tableName: string,
  receivingRegion: string,
  now: Date,
): Promise<LatencyMeasurement> {
  const what = `ReplicationLatency of ${tableName} into ${receivingRegion}`;
  try {
    const latest = (await replicationLatencyDatapoints(cloudwatch, tableName, receivingRegion, now)).at(-1);
    if (latest) {
      return {
        rpoSeconds: wholeSecondsUp(latest.milliseconds),
        replicationLatencyMs: latest.milliseconds,
        rpoMeasuredAt: latest.timestamp.toISOString(),
      };
    }
    return {
      note: `no ${what} datapoint in the last ${LATENCY_WINDOW_SECONDS / 60} minutes (none is emitted while nothing replicates): RPO not measured`,
    };
  } catch (error) {
    return { note: `${what} unreadable (${(error as Error).message}): RPO not measured` };
  }
}
