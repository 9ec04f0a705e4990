// Reads back what an environment looks like (database instances, the standby groups, the DNS
// records, the routing controls, the lock): the simulation compares it before and after a run, the e2e tests assert on it.
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { isRoute53Traffic } from '../plan/resources/traffic-names.ts';
import type { DrPlan } from '../plan/schema.ts';
import { resourcesOf } from '../plan/steps.ts';
import { arcStates } from './arc-cluster.ts';
import { switchAlarmStates } from './health-check-failover.ts';

export interface EnvironmentState {
  /** Recovery-region DB instances: id → status and replica source (if any). */
  databases: Record<string, { status: string; replicaOf: string | null; backupRetentionDays: number }>;
  /** The plan's Auto Scaling groups by name (null when the group does not exist). */
  groups: Record<
    string,
    {
      min: number;
      desired: number;
      max: number;
      launchTemplateVersion: string | null;
      tags: Record<string, string>;
    } | null
  >;
  /** Recovery-region Aurora clusters: id → status (drill clones appear here). */
  clusters: Record<string, string>;
  /** The plan's DynamoDB tables: table → keys of the items a drill marked with its run id. */
  probeItems: Record<string, string[]>;
  /** name type [set] → answer */
  records: Record<string, string>;
  /** The simulation's ARC routing controls (local/arc-cluster.ts): ARN → On/Off. */
  routingControls: Record<string, string>;
  /** The switch alarms of route53-health-check-failover resources: name → state. */
  alarms: Record<string, string>;
  /** What fencing acts on in the primary region: the old primaries' status, the primary groups' capacity. */
  primary: { databases: Record<string, string>; groups: Record<string, string | null> };
  lock: Record<string, string> | null;
}

export async function readEnvironment(
  plan: DrPlan,
  endpoint: string | undefined,
  tableName: string,
): Promise<EnvironmentState> {
  const region = plan.regions.recovery;
  const config = { region, ...(endpoint ? { endpoint } : {}) };
  const rds = new RDSClient(config);
  const databases: EnvironmentState['databases'] = {};
  for (const db of (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? []) {
    databases[db.DBInstanceIdentifier ?? '?'] = {
      status: db.DBInstanceStatus ?? '?',
      replicaOf: db.ReadReplicaSourceDBInstanceIdentifier ?? null,
      backupRetentionDays: db.BackupRetentionPeriod ?? 0,
    };
  }

  const clusters: EnvironmentState['clusters'] = {};
  for (const cluster of (await rds.send(new DescribeDBClustersCommand({}))).DBClusters ?? []) {
    clusters[cluster.DBClusterIdentifier ?? '?'] = cluster.Status ?? '?';
  }
  const probeItems: EnvironmentState['probeItems'] = {};
  const tables = new DynamoDBClient(config);
  for (const resource of resourcesOf(plan, 'database')) {
    if (resource.type !== 'dynamodb-global-table') continue;
    const scan = await tables.send(
      new ScanCommand({
        TableName: resource.tableName,
        FilterExpression: 'attribute_exists(#run)',
        ExpressionAttributeNames: { '#run': 'dr-runbook:run-id' },
      }),
    );
    probeItems[resource.tableName] = (scan.Items ?? [])
      .map((item) => JSON.stringify(item['dr-runbook:run-id']?.S ?? ''))
      .sort();
  }

  const groups: EnvironmentState['groups'] = {};
  const asg = new AutoScalingClient(config);
  for (const { autoScalingGroupName: name } of resourcesOf(plan, 'compute')) {
    const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
    const g = out.AutoScalingGroups?.[0];
    groups[name] = g
      ? {
          min: g.MinSize ?? 0,
          desired: g.DesiredCapacity ?? 0,
          max: g.MaxSize ?? 0,
          launchTemplateVersion: g.LaunchTemplate?.Version ?? null,
          tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        }
      : null;
  }

  const records: EnvironmentState['records'] = {};
  const route53 = new Route53Client(config);
  const zones = new Set(
    resourcesOf(plan, 'traffic')
      .filter(isRoute53Traffic)
      .map((t) => t.hostedZoneId),
  );
  for (const zone of zones) {
    let start: { name?: string; type?: string; id?: string } = {};
    for (;;) {
      const page = await route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zone,
          StartRecordName: start.name,
          StartRecordType: start.type as never,
          StartRecordIdentifier: start.id,
        }),
      );
      for (const set of page.ResourceRecordSets ?? []) {
        if (set.Type === 'NS' || set.Type === 'SOA') continue;
        const key = `${(set.Name ?? '').replace(/\.$/, '')} ${set.Type}${set.SetIdentifier ? ` [${set.SetIdentifier}]` : ''}`;
        const answer = set.AliasTarget?.DNSName ?? (set.ResourceRecords ?? []).map((r) => r.Value).join(',');
        records[key] =
          `${answer.replace(/\.$/, '')}${set.Weight !== undefined ? ` weight ${set.Weight}` : ''}`;
      }
      if (!page.IsTruncated) break;
      start = { name: page.NextRecordName, type: page.NextRecordType, id: page.NextRecordIdentifier };
    }
  }

  const dynamo = new DynamoDBClient(config);
  const item = await dynamo.send(
    new GetItemCommand({ TableName: tableName, Key: { pk: { S: `LOCK#${plan.name}` }, sk: { S: 'LOCK' } } }),
  );
  const lock = item.Item
    ? Object.fromEntries(Object.entries(item.Item).map(([k, v]) => [k, v.S ?? v.N ?? JSON.stringify(v)]))
    : null;
  const alarms = await switchAlarmStates(plan, endpoint);
  const primary = await primaryState(plan, endpoint);
  return {
    databases,
    clusters,
    probeItems,
    groups,
    records,
    routingControls: arcStates(),
    alarms,
    primary,
    lock,
  };
}

/** The primary region's side of what the plan fences (read after any simulated outage has ended). */
async function primaryState(
  plan: DrPlan,
  endpoint: string | undefined,
): Promise<EnvironmentState['primary']> {
  const config = { region: plan.regions.primary, ...(endpoint ? { endpoint } : {}) };
  const databases: Record<string, string> = {};
  const ids = resourcesOf(plan, 'database').flatMap((r) =>
    r.type === 'rds-read-replica' ? [r.primaryInstanceId] : [],
  );
  if (ids.length > 0) {
    const rds = new RDSClient(config);
    for (const db of (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? []) {
      if (ids.includes(db.DBInstanceIdentifier ?? ''))
        databases[db.DBInstanceIdentifier ?? '?'] = db.DBInstanceStatus ?? '?';
    }
  }
  const groups: Record<string, string | null> = {};
  const names = resourcesOf(plan, 'compute').flatMap((r) =>
    r.primaryAutoScalingGroupName ? [r.primaryAutoScalingGroupName] : [],
  );
  if (names.length > 0) {
    const asg = new AutoScalingClient(config);
    const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names }));
    for (const name of names) {
      const g = out.AutoScalingGroups?.find((x) => x.AutoScalingGroupName === name);
      groups[name] = g ? `${g.MinSize}/${g.DesiredCapacity}/${g.MaxSize}` : null;
    }
  }
  return { databases, groups };
}

/** Human-readable differences between two states ("what is left" after a drill). */
export function differences(before: EnvironmentState, after: EnvironmentState): string[] {
  const diffs: string[] = [];
  const compare = (label: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      diffs.push(`${label}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  };
  for (const id of new Set([...Object.keys(before.databases), ...Object.keys(after.databases)])) {
    compare(`DB instance ${id}`, before.databases[id] ?? null, after.databases[id] ?? null);
  }
  for (const id of new Set([...Object.keys(before.clusters), ...Object.keys(after.clusters)])) {
    compare(`DB cluster ${id}`, before.clusters[id] ?? null, after.clusters[id] ?? null);
  }
  for (const table of new Set([...Object.keys(before.probeItems), ...Object.keys(after.probeItems)])) {
    compare(`drill probe items in ${table}`, before.probeItems[table] ?? [], after.probeItems[table] ?? []);
  }
  for (const name of new Set([...Object.keys(before.groups), ...Object.keys(after.groups)])) {
    compare(`group ${name}`, before.groups[name] ?? null, after.groups[name] ?? null);
  }
  for (const key of new Set([...Object.keys(before.records), ...Object.keys(after.records)])) {
    compare(`record ${key}`, before.records[key] ?? null, after.records[key] ?? null);
  }
  for (const arn of new Set([
    ...Object.keys(before.routingControls),
    ...Object.keys(after.routingControls),
  ])) {
    compare(
      `routing control ${arn}`,
      before.routingControls[arn] ?? null,
      after.routingControls[arn] ?? null,
    );
  }
  for (const name of new Set([...Object.keys(before.alarms), ...Object.keys(after.alarms)])) {
    compare(`alarm ${name}`, before.alarms[name] ?? null, after.alarms[name] ?? null);
  }
  for (const [id, status] of Object.entries(after.primary.databases)) {
    compare(`primary DB instance ${id}`, before.primary.databases[id] ?? null, status);
  }
  for (const [name, capacity] of Object.entries(after.primary.groups)) {
    compare(`primary group ${name}`, before.primary.groups[name] ?? null, capacity);
  }
  compare('lock', before.lock, after.lock);
  return diffs;
}
