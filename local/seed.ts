// Seeds an emulator with the two-region environment a plan describes, as it would look before an
// outage: the production database in the primary region with its replica (or its snapshots) in the
// recovery region, the standby group with its launch template and plan-tagged AMIs, the hosted zone
// with the records pointing at the primary region, and the runbook's own table and topic.
import { AutoScalingClient, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  EC2Client,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  CreateDBSnapshotCommand,
  DeleteDBInstanceCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { isRoute53Traffic, type Route53TrafficResource } from '../plan/resources/traffic-names.ts';
import type { DrPlan, ResourceOfType } from '../plan/schema.ts';
import { resourcesOf } from '../plan/steps.ts';
import { seedHealthCheckFailover } from './health-check-failover.ts';
import { ensureRunbookResources, type RunbookResources } from './runbook-resources.ts';
import { seedAuroraGlobalDatabase, seedDynamodbGlobalTable } from './seed-global-databases.ts';

export interface SeedResult {
  /** The plan with what the emulator chose (it picks hosted zone ids itself). */
  readonly plan: DrPlan;
  readonly resources: RunbookResources;
  /** One line per resource created, for the simulation's output. */
  readonly created: string[];
}

const PASSWORD = 'local-emulator-only';

/** A record's production answer: the same name served from the primary region. */
export function primaryTarget(plan: DrPlan, name: string, type: string): string {
  if (type === 'A') return '192.0.2.10';
  if (type === 'AAAA') return '2001:db8::10';
  return `${name.split('.')[0]}.${plan.regions.primary}.elb.example.net`;
}

type Rds = ResourceOfType<'rds-read-replica'> | ResourceOfType<'rds-snapshot-restore'>;

export interface SeedOptions {
  /**
   * The ReplicaLag datapoint seeded for each read replica (default 3 s). A switchover's simulation
   * seeds 0: its writes have stopped (see seedReplicasCaughtUp), and a 3 s datapoint in the same
   * minute would keep that minute's maximum at 3 s.
   */
  replicaLagSeconds?: number;
}

async function seedRds(
  plan: DrPlan,
  db: Rds,
  endpoint: string,
  created: string[],
  replicaLagSeconds = 3,
): Promise<void> {
  const primary = new RDSClient({ region: plan.regions.primary, endpoint });
  const recovery = new RDSClient({ region: plan.regions.recovery, endpoint });
  const instance = (id: string) =>
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: id,
      DBInstanceClass: 'db.t3.micro',
      Engine: 'postgres',
      MasterUsername: 'app',
      MasterUserPassword: PASSWORD,
      AllocatedStorage: 20,
      BackupRetentionPeriod: 7,
    });
  if (db.type === 'rds-read-replica') {
    const source = await primary.send(instance(db.primaryInstanceId));
    created.push(`${plan.regions.primary}: RDS instance ${db.primaryInstanceId} (primary)`);
    await recovery.send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: db.replicaInstanceId,
        SourceDBInstanceIdentifier: source.DBInstance?.DBInstanceArn,
        DBInstanceClass: 'db.t3.micro',
      }),
    );
    // As in RDS, a PostgreSQL read replica keeps no backups of its own: promotion turns them on.
    await recovery.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: db.replicaInstanceId,
        BackupRetentionPeriod: 0,
        ApplyImmediately: true,
      }),
    );
    created.push(
      `${plan.regions.recovery}: RDS read replica ${db.replicaInstanceId} of ${db.primaryInstanceId}`,
    );
    await recovery.send(
      new CreateDBSnapshotCommand({
        DBInstanceIdentifier: db.replicaInstanceId,
        DBSnapshotIdentifier: `${db.replicaInstanceId}-nightly`,
      }),
    );
    created.push(`${plan.regions.recovery}: snapshot ${db.replicaInstanceId}-nightly`);
    await publishReplicaLag(plan, endpoint, db.replicaInstanceId, replicaLagSeconds);
    created.push(
      `${plan.regions.recovery}: ReplicaLag datapoint (${replicaLagSeconds} s) for ${db.replicaInstanceId}`,
    );
    return;
  }
  // Backup & restore: the source lives in the primary region; its snapshot copy in the recovery
  // region keeps the source's instance id (made here from a short-lived stand-in instance).
  await primary.send(instance(db.sourceInstanceId));
  created.push(`${plan.regions.primary}: RDS instance ${db.sourceInstanceId}`);
  await recovery.send(instance(db.sourceInstanceId));
  await recovery.send(
    new CreateDBSnapshotCommand({
      DBInstanceIdentifier: db.sourceInstanceId,
      DBSnapshotIdentifier: `${db.sourceInstanceId}-copy`,
    }),
  );
  await recovery.send(
    new DeleteDBInstanceCommand({ DBInstanceIdentifier: db.sourceInstanceId, SkipFinalSnapshot: true }),
  );
  created.push(`${plan.regions.recovery}: snapshot copy ${db.sourceInstanceId}-copy`);
}

async function seedGroup(
  plan: DrPlan,
  compute: ResourceOfType<'auto-scaling-group'>,
  endpoint: string,
  created: string[],
): Promise<void> {
  const region = plan.regions.recovery;
  const ec2 = new EC2Client({ region, endpoint });
  // The template starts on an older, untagged image; the newest plan-tagged AMI is what failover uses.
  // Both registered here: the environment needs no stock image (moto started by dr-runbook loads none).
  const register = async (suffix: string) =>
    (
      await ec2.send(
        new RegisterImageCommand({
          Name: `${plan.name}-${compute.id}-${suffix}`,
          Architecture: 'arm64',
          RootDeviceName: '/dev/xvda',
        }),
      )
    ).ImageId ?? '';
  const oldImage = await register('previous');
  const newImage = await register('golden');
  const tags = Object.entries(compute.ami.tags).map(([Key, Value]) => ({ Key, Value }));
  await ec2.send(new CreateTagsCommand({ Resources: [newImage], Tags: tags }));
  created.push(`${region}: AMI ${newImage} tagged ${tags.map((t) => `${t.Key}=${t.Value}`).join(', ')}`);
  const template = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: `${compute.autoScalingGroupName}-lt`,
      LaunchTemplateData: { ImageId: oldImage, InstanceType: 't4g.micro' },
    }),
  );
  const templateId = template.LaunchTemplate?.LaunchTemplateId;
  created.push(`${region}: launch template ${templateId} on ${oldImage}`);
  const autoScaling = new AutoScalingClient({ region, endpoint });
  await autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: compute.autoScalingGroupName,
      LaunchTemplate: { LaunchTemplateId: templateId, Version: '1' },
      MinSize: 1,
      DesiredCapacity: 1,
      MaxSize: 2,
      AvailabilityZones: [`${region}a`],
    }),
  );
  created.push(`${region}: Auto Scaling group ${compute.autoScalingGroupName} (standby 1/1/2)`);
  if (compute.primaryAutoScalingGroupName) await seedPrimaryGroup(plan, compute, endpoint, created);
}

/** The group serving in the primary region, which fencing scales to 0 (at full capacity here). */
async function seedPrimaryGroup(
  plan: DrPlan,
  compute: ResourceOfType<'auto-scaling-group'>,
  endpoint: string,
  created: string[],
): Promise<void> {
  const region = plan.regions.primary;
  const name = compute.primaryAutoScalingGroupName as string;
  const ec2 = new EC2Client({ region, endpoint });
  const image = await ec2.send(
    new RegisterImageCommand({
      Name: `${plan.name}-${compute.id}-primary`,
      Architecture: 'arm64',
      RootDeviceName: '/dev/xvda',
    }),
  );
  const template = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: `${name}-lt`,
      LaunchTemplateData: { ImageId: image.ImageId ?? '', InstanceType: 't4g.micro' },
    }),
  );
  const { min, desired, max } = compute.capacity;
  await new AutoScalingClient({ region, endpoint }).send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchTemplate: { LaunchTemplateId: template.LaunchTemplate?.LaunchTemplateId, Version: '1' },
      MinSize: min,
      DesiredCapacity: desired,
      MaxSize: max,
      AvailabilityZones: [`${region}a`],
    }),
  );
  created.push(`${region}: Auto Scaling group ${name} (serving ${min}/${desired}/${max})`);
}

function simpleRecord(name: string, type: string, ttl: number, value: string): ResourceRecordSet {
  return {
    Name: name,
    Type: type as ResourceRecordSet['Type'],
    TTL: ttl,
    ResourceRecords: [{ Value: value }],
  };
}

type Traffic = Route53TrafficResource;

/** One emulator hosted zone per zone name the plan uses (the emulator picks the ids). */
async function seedZones(plan: DrPlan, endpoint: string, created: string[]): Promise<Map<string, string>> {
  const route53 = new Route53Client({ region: plan.regions.recovery, endpoint });
  const zones = new Map<string, string>();
  for (const traffic of resourcesOf(plan, 'traffic').filter(isRoute53Traffic)) {
    if (zones.has(traffic.hostedZoneName)) continue;
    const zone = await route53.send(
      new CreateHostedZoneCommand({
        Name: traffic.hostedZoneName,
        CallerReference: `dr-runbook-seed-${traffic.id}-${Date.now()}`,
      }),
    );
    const zoneId = (zone.HostedZone?.Id ?? '').replace('/hostedzone/', '');
    zones.set(traffic.hostedZoneName, zoneId);
    created.push(`global: hosted zone ${traffic.hostedZoneName} (${zoneId})`);
  }
  return zones;
}

async function seedRecords(
  plan: DrPlan,
  traffic: Traffic,
  zoneId: string,
  endpoint: string,
  created: string[],
) {
  const route53 = new Route53Client({ region: plan.regions.recovery, endpoint });
  const changes: ResourceRecordSet[] = [];
  if (traffic.type === 'route53-records') {
    for (const r of traffic.records)
      changes.push(simpleRecord(r.name, r.type, r.ttlSeconds, primaryTarget(plan, r.name, r.type)));
  } else {
    for (const r of traffic.records) {
      const value = primaryTarget(plan, r.name, r.type);
      changes.push({
        ...simpleRecord(r.name, r.type, 60, value),
        SetIdentifier: r.primarySetIdentifier,
        Weight: 100,
      });
      const recoveryValue = value.replace(plan.regions.primary, plan.regions.recovery);
      changes.push({
        ...simpleRecord(r.name, r.type, 60, recoveryValue),
        SetIdentifier: r.recoverySetIdentifier,
        Weight: 0,
      });
    }
  }
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: changes.map((set) => ({ Action: 'CREATE', ResourceRecordSet: set })) },
    }),
  );
  for (const set of changes) {
    created.push(
      `global: ${set.Type} ${set.Name}${set.SetIdentifier ? ` [${set.SetIdentifier} weight ${set.Weight}]` : ''} -> ${set.ResourceRecords?.[0]?.Value}`,
    );
  }
}

async function seedVerification(plan: DrPlan, endpoint: string, created: string[]): Promise<void> {
  const alarmName = plan.verification.alarmName;
  if (!alarmName) return;
  const cloudWatch = new CloudWatchClient({ region: plan.regions.recovery, endpoint });
  await cloudWatch.send(
    new PutMetricAlarmCommand({
      AlarmName: alarmName,
      Namespace: 'App',
      MetricName: '5xx',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await cloudWatch.send(
    new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'OK', StateReason: 'seeded' }),
  );
  created.push(`${plan.regions.recovery}: alarm ${alarmName} (OK)`);
}

/** Creates everything the plan names; returns the plan as the emulator named things. */
export async function seedEnvironment(
  plan: DrPlan,
  endpoint: string,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const created: string[] = [];
  const zones = await seedZones(plan, endpoint, created);
  const resources = plan.resources.map((resource) =>
    isRoute53Traffic(resource)
      ? { ...resource, hostedZoneId: zones.get(resource.hostedZoneName) ?? '' }
      : resource,
  );
  const seededPlan = { ...plan, resources } as DrPlan;
  // moto picks health check ids: the plan names the ones it created.
  seededPlan.resources = await Promise.all(
    seededPlan.resources.map((resource) =>
      resource.type === 'route53-health-check-failover'
        ? seedHealthCheckFailover(seededPlan, resource, endpoint, created)
        : resource,
    ),
  );
  for (const resource of seededPlan.resources) {
    switch (resource.type) {
      case 'rds-read-replica':
      case 'rds-snapshot-restore':
        await seedRds(seededPlan, resource, endpoint, created, options.replicaLagSeconds);
        break;
      case 'aurora-global-database':
        await seedAuroraGlobalDatabase(seededPlan, resource, endpoint, created);
        break;
      case 'dynamodb-global-table':
        await seedDynamodbGlobalTable(seededPlan, resource, endpoint, created);
        break;
      case 'auto-scaling-group':
        await seedGroup(seededPlan, resource, endpoint, created);
        break;
      case 'route53-records':
      case 'route53-weighted':
        await seedRecords(seededPlan, resource, resource.hostedZoneId, endpoint, created);
        break;
      case 'route53-health-check-failover':
        // Seeded above (its alarms and health checks); DNS is the simulation's (health-check-failover.ts).
        break;
      case 'arc-routing-control':
        // Its routing controls are the simulation's own (local/arc-cluster.ts), set when a run starts.
        break;
      case 'lambda-hook':
        created.push(
          `${plan.regions.recovery}: hook ${resource.id} runs as a local function (local/hook-functions.ts)`,
        );
        break;
    }
  }
  await seedVerification(seededPlan, endpoint, created);
  const runbook = await ensureRunbookResources(seededPlan, endpoint, created);
  return { plan: seededPlan, resources: runbook, created };
}

/**
 * What a switchover's precondition looks like in the simulation: writes to every rds-read-replica's
 * primary have stopped and the replica has caught up, so its ReplicaLag is 0 on a datapoint of the
 * last minute (moto replicates nothing and publishes no metric; the seed's datapoint says 3 s). A
 * switchover waits for exactly this before it promotes (functions/database/rds-queries.ts
 * caughtUpLag). Publish it just before the switchover starts (the datapoint must be at most about
 * two minutes old when the step reads it), after a seed with `replicaLagSeconds: 0` (or on an
 * emulator whose last lag datapoint is more than a minute old). Returns one line per datapoint
 * published, for the run's notes.
 */
export async function seedReplicasCaughtUp(plan: DrPlan, endpoint: string): Promise<string[]> {
  const replicas = plan.resources.filter(
    (r): r is ResourceOfType<'rds-read-replica'> => r.type === 'rds-read-replica',
  );
  if (replicas.length === 0) return [];
  const published: string[] = [];
  for (const db of replicas) {
    await publishReplicaLag(plan, endpoint, db.replicaInstanceId, 0);
    published.push(
      `the simulation stopped the writes to ${db.primaryInstanceId} before the switchover: ReplicaLag datapoint 0 s published for ${db.replicaInstanceId} (moto replicates nothing and publishes no metric)`,
    );
  }
  return published;
}

/** One ReplicaLag datapoint of a replica, as RDS would publish it (moto publishes none). */
async function publishReplicaLag(plan: DrPlan, endpoint: string, replicaId: string, seconds: number) {
  await new CloudWatchClient({ region: plan.regions.recovery, endpoint }).send(
    new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: [
        {
          MetricName: 'ReplicaLag',
          Dimensions: [{ Name: 'DBInstanceIdentifier', Value: replicaId }],
          // A minute old, as CloudWatch publishes it (moto misses a datapoint of the query's own second).
          Timestamp: new Date(Date.now() - 60_000),
          Value: seconds,
          Unit: 'Seconds',
        },
      ],
    }),
  );
}
