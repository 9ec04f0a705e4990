// Read-only queries of an Aurora global database for the aurora-global-database type (its global
// cluster, its member clusters, its lag metrics), the names and tags of a drill's temporary
// cluster, and the errors those raise. Every call goes to the recovery region's clients.
import { createHash } from 'node:crypto';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  type DBCluster,
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  type GlobalCluster,
  type GlobalClusterMember,
} from '@aws-sdk/client-rds';
import { awsCall } from '../shared/aws-errors.ts';
import { DbClusterNotFoundError, GlobalClusterNotFoundError } from '../shared/errors.ts';

export { DbClusterNotFoundError, GlobalClusterNotFoundError };

import type { ResourceEvent } from '../shared/step-contract.ts';
import type { DatabaseClients } from './clients.ts';
import { isAwsError, TAG_PLAN, TAG_PURPOSE, TAG_RESOURCE, TAG_RUN_ID } from './rds-queries.ts';

// The wire codes next to the SDK's exception names, as for the instance codes in rds-queries.ts.
export const GLOBAL_CLUSTER_NOT_FOUND = ['GlobalClusterNotFoundFault', 'GlobalClusterNotFound'] as const;
export const CLUSTER_NOT_FOUND = ['DBClusterNotFoundFault', 'DBClusterNotFound'] as const;
export const CLUSTER_ALREADY_EXISTS = ['DBClusterAlreadyExistsFault', 'DBClusterAlreadyExists'] as const;
export const INVALID_CLUSTER_STATE = ['InvalidDBClusterStateFault', 'InvalidDBClusterState'] as const;
export const INVALID_GLOBAL_CLUSTER_STATE = [
  'InvalidGlobalClusterStateFault',
  'InvalidGlobalClusterState',
] as const;

/** The plan's global database (global cluster) is not there. */

/**
 * The global cluster, or undefined when it does not exist. `resource` names it in error messages,
 * with the plan field, e.g. "global database market-inventory (resources[1].globalClusterId)".
 */
export async function findGlobalCluster(
  rds: DatabaseClients['rds'],
  globalClusterId: string,
  resource: string,
  operation: string,
): Promise<GlobalCluster | undefined> {
  return awsCall({ resource, operation }, async () => {
    try {
      const out = await rds.send(
        new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterId }),
      );
      // Matched by identifier, not taken as the first answer: an emulator may ignore the filter.
      const wanted = globalClusterId.toLowerCase();
      return out.GlobalClusters?.find((g) => g.GlobalClusterIdentifier?.toLowerCase() === wanted);
    } catch (error) {
      if (isAwsError(error, GLOBAL_CLUSTER_NOT_FOUND)) return undefined;
      throw error;
    }
  });
}

/** The DB cluster, or undefined when it does not exist; `resource` names it in error messages. */
export async function findCluster(
  rds: DatabaseClients['rds'],
  clusterId: string,
  resource: string,
  operation: string,
): Promise<DBCluster | undefined> {
  return awsCall({ resource, operation }, async () => {
    try {
      const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }));
      return out.DBClusters?.[0];
    } catch (error) {
      if (isAwsError(error, CLUSTER_NOT_FOUND)) return undefined;
      throw error;
    }
  });
}

/** The cluster's entry in the global cluster's members, matched by ARN. */
export function memberOf(global: GlobalCluster, cluster: DBCluster): GlobalClusterMember | undefined {
  const arn = cluster.DBClusterArn?.toLowerCase();
  if (!arn) return undefined;
  return global.GlobalClusterMembers?.find((m) => m.DBClusterArn?.toLowerCase() === arn);
}

/** The value of one tag of a described cluster. */
export function clusterTag(cluster: DBCluster, key: string): string | undefined {
  return cluster.TagList?.find((tag) => tag.Key === key)?.Value;
}

/** A failover or switchover Aurora is carrying out (pending or under way), if any. */
export function activeFailover(global: GlobalCluster): GlobalCluster['FailoverState'] {
  const status = global.FailoverState?.Status;
  return status && status !== 'cancelling' ? global.FailoverState : undefined;
}

/** Whether a failover's target ARN is this cluster. */
export function targets(arn: string | undefined, cluster: DBCluster): boolean {
  return Boolean(arn && cluster.DBClusterArn && arn.toLowerCase() === cluster.DBClusterArn.toLowerCase());
}

// ---- the drill's temporary cluster ---------------------------------------------------------------

/**
 * Identifier of a drill's temporary cluster: `drill-<plan>-<8 hex of sha256(run id ":" resource id)>`
 * (the drill naming of docs/design.md). Derived only from the run and the resource, so a re-run, or
 * a revert without state, finds the cluster it created, and two resources of one plan never share
 * one. The plan name is a slug of at most 40 characters, so this is at most 55 characters: a valid
 * cluster identifier (a letter first, no "--", no trailing "-").
 */
export function drillClusterId(planName: string, runId: string, resourceId: string): string {
  const hash = createHash('sha256').update(`${runId}:${resourceId}`).digest('hex').slice(0, 8);
  return `drill-${planName}-${hash}`;
}

/** The one DB instance of the drill's temporary cluster (at most 57 characters). */
export function drillClusterInstanceId(clusterId: string): string {
  return `${clusterId}-1`;
}

/** The drill's temporary cluster and its instance, for the event's run and resource. */
export function drillTargetsOf(event: Pick<ResourceEvent<unknown>, 'plan' | 'run' | 'resourceId'>): {
  clusterId: string;
  instanceId: string;
} {
  const clusterId = drillClusterId(event.plan.name, event.run.id, event.resourceId);
  return { clusterId, instanceId: drillClusterInstanceId(clusterId) };
}

/** Tags of what a drill creates: the plan's tags, then the runbook's (which win). */
export function drillTags(
  event: Pick<ResourceEvent<unknown>, 'plan' | 'run' | 'resourceId'>,
): { Key: string; Value: string }[] {
  const tags = {
    ...event.plan.tags,
    [TAG_PLAN]: event.plan.name,
    [TAG_RUN_ID]: event.run.id,
    [TAG_PURPOSE]: 'drill',
    [TAG_RESOURCE]: event.resourceId,
  };
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Whether tags say this run created the resource for this plan resource in a drill; else what they say. */
export function ownership(
  tag: (key: string) => string | undefined,
  event: Pick<ResourceEvent<unknown>, 'run' | 'resourceId'>,
): { own: true } | { own: false; tags: string } {
  const runId = tag(TAG_RUN_ID);
  const purpose = tag(TAG_PURPOSE);
  const resource = tag(TAG_RESOURCE);
  if (runId === event.run.id && purpose === 'drill' && resource === event.resourceId) return { own: true };
  const shown = (value: string | undefined) => value ?? '(absent)';
  return {
    own: false,
    tags: `${TAG_RUN_ID}=${shown(runId)}, ${TAG_PURPOSE}=${shown(purpose)}, ${TAG_RESOURCE}=${shown(resource)}`,
  };
}

// ---- lag of the secondary ------------------------------------------------------------------------

/**
 * The lag metrics of a secondary cluster (AWS/RDS, dimension DBClusterIdentifier, in milliseconds,
 * published in the secondary's region), best first: AuroraGlobalDBRPOLag measures how far behind
 * the secondary is for user transactions (what a failover loses); AuroraGlobalDBReplicationLag,
 * published by more engine versions, stands in where the first has no datapoints.
 */
export const GLOBAL_LAG_METRICS = ['AuroraGlobalDBRPOLag', 'AuroraGlobalDBReplicationLag'] as const;
export type GlobalLagMetric = (typeof GLOBAL_LAG_METRICS)[number];

export interface GlobalLag {
  metric: GlobalLagMetric;
  /** One-minute maxima, oldest first, in seconds. */
  points: { timestamp: Date; seconds: number }[];
}

/** Lag datapoints of the secondary over the last `windowSeconds`: the first metric that has any. */
export async function globalLag(
  cloudwatch: DatabaseClients['cloudwatch'],
  secondaryClusterId: string,
  windowSeconds: number,
  now: Date,
): Promise<GlobalLag | undefined> {
  for (const metric of GLOBAL_LAG_METRICS) {
    const out = await awsCall(
      { resource: `${metric} metric of ${secondaryClusterId}`, operation: 'get metric statistics' },
      () =>
        cloudwatch.send(
          new GetMetricStatisticsCommand({
            Namespace: 'AWS/RDS',
            MetricName: metric,
            Dimensions: [{ Name: 'DBClusterIdentifier', Value: secondaryClusterId }],
            StartTime: new Date(now.getTime() - windowSeconds * 1000),
            EndTime: now,
            Period: 60,
            Statistics: ['Maximum'],
          }),
        ),
    );
    const points = (out.Datapoints ?? [])
      .flatMap((point) =>
        point.Timestamp && point.Maximum !== undefined
          ? [{ timestamp: point.Timestamp, seconds: toSeconds(point.Maximum, point.Unit) }]
          : [],
      )
      .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    if (points.length > 0) return { metric, points };
  }
  return undefined;
}

/** Both metrics are published in milliseconds; a datapoint that says seconds is taken as it says. */
function toSeconds(value: number, unit: string | undefined): number {
  const seconds = unit === 'Seconds' ? value : value / 1000;
  return Math.round(seconds * 1000) / 1000;
}

/** Window searched for the lag at recovery: its newest datapoint is the RPO. */
export const GLOBAL_LAG_AT_RECOVERY_WINDOW_SECONDS = 300;

/**
 * RPO of a recovery from the secondary = its lag at that moment (the newest datapoint of the last
 * 5 minutes): read just before a failover, and when a drill creates its copy, so a drill measures
 * what a failover would lose. Never throws: a missing or unreadable metric is a note, never a
 * reason to delay recovery, and never replaced by another number.
 */
export async function rpoFromGlobalLag(
  cloudwatch: DatabaseClients['cloudwatch'],
  secondaryClusterId: string,
  now: Date,
): Promise<{ rpoSeconds: number; rpoMeasuredAt: string; rpoMetric: string } | { note: string }> {
  try {
    const lag = await globalLag(cloudwatch, secondaryClusterId, GLOBAL_LAG_AT_RECOVERY_WINDOW_SECONDS, now);
    const latest = lag?.points.at(-1);
    if (lag && latest) {
      return {
        rpoSeconds: latest.seconds,
        rpoMeasuredAt: latest.timestamp.toISOString(),
        rpoMetric: lag.metric,
      };
    }
    return {
      note: `no ${GLOBAL_LAG_METRICS.join(' or ')} datapoint for ${secondaryClusterId} in the last ${GLOBAL_LAG_AT_RECOVERY_WINDOW_SECONDS / 60} minutes: RPO not measured`,
    };
  } catch (error) {
    return {
      note: `global database lag of ${secondaryClusterId} unreadable (${(error as Error).message}): RPO not measured`,
    };
  }
}
