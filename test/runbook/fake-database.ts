// The fake RDS, CloudWatch and KMS of the recovery region: the read replicas, snapshot copies, the
// ReplicaLag metric of each replica, the application alarm and the snapshot copies' keys. A restored instance is "available" on the next
// describe; a promoted replica is standalone at once and "available" on the next describe; a deleted
// instance is gone on the next describe. With timing, a promotion or a restore takes its seconds.
import {
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  GetMetricStatisticsCommand,
  type GetMetricStatisticsCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { DescribeKeyCommand, type DescribeKeyCommandInput } from '@aws-sdk/client-kms';
import {
  DeleteDBInstanceCommand,
  type DeleteDBInstanceCommandInput,
  DescribeDBInstancesCommand,
  type DescribeDBInstancesCommandInput,
  DescribeDBParameterGroupsCommand,
  type DescribeDBParameterGroupsCommandInput,
  DescribeDBSnapshotsCommand,
  type DescribeDBSnapshotsCommandInput,
  DescribeDBSubnetGroupsCommand,
  type DescribeDBSubnetGroupsCommandInput,
  PromoteReadReplicaCommand,
  type PromoteReadReplicaCommandInput,
  RestoreDBInstanceFromDBSnapshotCommand,
  type RestoreDBInstanceFromDBSnapshotCommandInput,
} from '@aws-sdk/client-rds';
import { awsError } from '../fixtures.ts';
import { ACCOUNT, type Environment } from './environments.ts';
import { type FakeTiming, fakeNow, type Handler, hoursAgo, isReady, readyAt } from './fake-handler.ts';

export interface DbInstance {
  id: string;
  status: string;
  instanceClass: string;
  /** ARN of the replication source; absent once standalone. */
  source?: string;
  backupRetentionDays: number;
  subnetGroup?: string;
  securityGroups: string[];
  tags: Record<string, string>;
  createdAt: Date;
  restoredFromSnapshot?: string;
  /** Applied at the next describe: a new status, or "gone". */
  pending?: string;
  /** Not before this time (ms since the epoch); absent: at the next describe. */
  pendingAt?: number | undefined;
}

export interface Snapshot {
  id: string;
  instanceId: string;
  createdAt: Date;
  instanceClass: string;
  kmsKeyId?: string;
}

/** The class a restore gets when neither the request nor the snapshot names one. */
const DEFAULT_CLASS = 'db.r6g.large';

export class FakeRds {
  readonly instances = new Map<string, DbInstance>();
  readonly snapshots: Snapshot[] = [];

  constructor(
    private readonly env: Environment,
    now: Date,
    private readonly timing: FakeTiming = {},
  ) {
    for (const replica of env.replicas) {
      this.instances.set(replica.replicaId, {
        id: replica.replicaId,
        status: 'available',
        instanceClass: replica.replicaClass,
        source: `arn:aws:rds:${env.primaryRegion}:${ACCOUNT}:db:${replica.primaryId}`,
        backupRetentionDays: 0,
        subnetGroup: replica.subnetGroup ?? `${env.plan}-db-subnets`,
        securityGroups: [...(replica.securityGroups ?? [`sg-0${env.plan}db`])],
        tags: { app: env.plan },
        createdAt: hoursAgo(now, 24 * 90),
      });
    }
    for (const snapshot of env.snapshots) {
      this.snapshots.push({
        id: snapshot.id,
        instanceId: snapshot.instanceId,
        createdAt: hoursAgo(now, snapshot.ageHours),
        instanceClass: snapshot.instanceClass ?? DEFAULT_CLASS,
        ...(snapshot.kmsKeyId ? { kmsKeyId: snapshot.kmsKeyId } : {}),
      });
    }
  }

  handlers(): Handler[] {
    return [
      [DescribeDBInstancesCommand, (input: DescribeDBInstancesCommandInput) => this.describe(input)],
      [DescribeDBSnapshotsCommand, (input: DescribeDBSnapshotsCommandInput) => this.describeSnapshots(input)],
      // The placement a plan names exists in the environment (its absence is a unit test's case).
      [
        DescribeDBSubnetGroupsCommand,
        (input: DescribeDBSubnetGroupsCommandInput) => ({
          DBSubnetGroups: [{ DBSubnetGroupName: input.DBSubnetGroupName }],
        }),
      ],
      [
        DescribeDBParameterGroupsCommand,
        (input: DescribeDBParameterGroupsCommandInput) => ({
          DBParameterGroups: [{ DBParameterGroupName: input.DBParameterGroupName }],
        }),
      ],
      [PromoteReadReplicaCommand, (input: PromoteReadReplicaCommandInput) => this.promote(input)],
      [
        RestoreDBInstanceFromDBSnapshotCommand,
        (input: RestoreDBInstanceFromDBSnapshotCommandInput) => this.restore(input),
      ],
      [DeleteDBInstanceCommand, (input: DeleteDBInstanceCommandInput) => this.delete(input)],
    ];
  }

  private shape(instance: DbInstance) {
    const region = this.env.recoveryRegion;
    return {
      DBInstanceIdentifier: instance.id,
      DBInstanceArn: `arn:aws:rds:${region}:${ACCOUNT}:db:${instance.id}`,
      DBInstanceStatus: instance.status,
      DBInstanceClass: instance.instanceClass,
      Engine: 'postgres',
      BackupRetentionPeriod: instance.backupRetentionDays,
      InstanceCreateTime: instance.createdAt,
      ...(instance.source ? { ReadReplicaSourceDBInstanceIdentifier: instance.source } : {}),
      ...(instance.subnetGroup ? { DBSubnetGroup: { DBSubnetGroupName: instance.subnetGroup } } : {}),
      VpcSecurityGroups: instance.securityGroups.map((id) => ({ VpcSecurityGroupId: id, Status: 'active' })),
      ...(instance.status === 'available'
        ? { Endpoint: { Address: `${instance.id}.c0fake.${region}.rds.amazonaws.com`, Port: 5432 } }
        : {}),
      TagList: Object.entries(instance.tags).map(([Key, Value]) => ({ Key, Value })),
    };
  }

  private find(id: string | undefined): DbInstance {
    const instance = this.instances.get(id ?? '');
    if (!instance) throw awsError('DBInstanceNotFoundFault', 404, `DBInstance ${id} not found.`);
    return instance;
  }

  private describe(input: DescribeDBInstancesCommandInput) {
    const id = input.DBInstanceIdentifier ?? '';
    const instance = this.instances.get(id);
    if (instance?.pending && isReady(this.timing, instance.pendingAt)) {
      if (instance.pending === 'gone') this.instances.delete(id);
      else instance.status = instance.pending;
      delete instance.pending;
      delete instance.pendingAt;
    }
    return { DBInstances: [this.shape(this.find(id))] };
  }

  private describeSnapshots(input: DescribeDBSnapshotsCommandInput) {
    const ids = input.Filters?.find((f) => f.Name === 'db-instance-id')?.Values;
    return {
      DBSnapshots: this.snapshots
        .filter((s) => !ids || ids.includes(s.instanceId))
        .map((s) => ({
          DBSnapshotIdentifier: s.id,
          DBSnapshotArn: `arn:aws:rds:${this.env.recoveryRegion}:${ACCOUNT}:snapshot:${s.id}`,
          DBInstanceIdentifier: s.instanceId,
          SnapshotCreateTime: s.createdAt,
          Status: 'available',
          SnapshotType: 'manual',
          Encrypted: s.kmsKeyId !== undefined,
          ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
        })),
    };
  }

  private promote(input: PromoteReadReplicaCommandInput) {
    const instance = this.find(input.DBInstanceIdentifier);
    if (!instance.source || instance.status !== 'available') {
      throw awsError('InvalidDBInstanceStateFault', 400, `DB instance ${instance.id} is not a read replica.`);
    }
    delete instance.source;
    instance.status = 'modifying';
    instance.pending = 'available';
    instance.pendingAt = readyAt(this.timing, this.timing.promotionSeconds);
    if (input.BackupRetentionPeriod !== undefined) instance.backupRetentionDays = input.BackupRetentionPeriod;
    return { DBInstance: this.shape(instance) };
  }

  private restore(input: RestoreDBInstanceFromDBSnapshotCommandInput) {
    const id = input.DBInstanceIdentifier ?? '';
    if (this.instances.has(id)) {
      throw awsError('DBInstanceAlreadyExistsFault', 400, `DB instance ${id} already exists`);
    }
    const snapshot = this.snapshots.find((s) => s.id === input.DBSnapshotIdentifier);
    if (!snapshot) {
      throw awsError('DBSnapshotNotFoundFault', 404, `DBSnapshot ${input.DBSnapshotIdentifier} not found.`);
    }
    const instance: DbInstance = {
      id,
      status: 'creating',
      pending: 'available',
      pendingAt: readyAt(this.timing, this.timing.restoreSeconds),
      instanceClass: input.DBInstanceClass ?? snapshot.instanceClass,
      backupRetentionDays: 1,
      ...(input.DBSubnetGroupName ? { subnetGroup: input.DBSubnetGroupName } : {}),
      securityGroups: input.VpcSecurityGroupIds ?? [],
      tags: Object.fromEntries((input.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      createdAt: fakeNow(this.timing),
      restoredFromSnapshot: snapshot.id,
    };
    this.instances.set(id, instance);
    return { DBInstance: this.shape(instance) };
  }

  private delete(input: DeleteDBInstanceCommandInput) {
    const instance = this.find(input.DBInstanceIdentifier);
    if (instance.status === 'deleting') {
      throw awsError(
        'InvalidDBInstanceStateFault',
        400,
        `DB instance ${instance.id} is already being deleted.`,
      );
    }
    instance.status = 'deleting';
    instance.pending = 'gone';
    delete instance.pendingAt;
    return { DBInstance: this.shape(instance) };
  }
}

/** The KMS keys a plan names exist and are Enabled (a key in another state is a unit test's case). */
export class FakeKms {
  handlers(): Handler[] {
    return [
      [
        DescribeKeyCommand,
        (input: DescribeKeyCommandInput) => ({
          KeyMetadata: { KeyId: input.KeyId, Arn: input.KeyId, KeyState: 'Enabled', Enabled: true },
        }),
      ],
    ];
  }
}

export class FakeCloudWatch {
  /** ReplicaLag datapoints by DB instance id. */
  readonly replicaLag = new Map<string, { timestamp: Date; seconds: number }[]>();
  readonly alarms = new Map<string, string>();

  constructor(env: Environment, now: Date) {
    for (const replica of env.replicas) {
      const lag = { timestamp: new Date(now.getTime() - 60_000), seconds: replica.replicaLagSeconds };
      this.replicaLag.set(replica.replicaId, [lag]);
    }
    for (const [name, state] of Object.entries(env.alarms)) this.alarms.set(name, state);
  }

  handlers(): Handler[] {
    return [
      [GetMetricStatisticsCommand, (input: GetMetricStatisticsCommandInput) => this.statistics(input)],
      [DescribeAlarmsCommand, (input: DescribeAlarmsCommandInput) => this.describeAlarms(input)],
    ];
  }

  private statistics(input: GetMetricStatisticsCommandInput) {
    const id = input.Dimensions?.find((d) => d.Name === 'DBInstanceIdentifier')?.Value ?? '';
    const points = input.MetricName === 'ReplicaLag' ? (this.replicaLag.get(id) ?? []) : [];
    const from = input.StartTime?.getTime() ?? 0;
    const to = input.EndTime?.getTime() ?? Number.POSITIVE_INFINITY;
    return {
      Label: input.MetricName,
      Datapoints: points
        .filter((p) => p.timestamp.getTime() >= from && p.timestamp.getTime() <= to)
        .map((p) => ({ Timestamp: p.timestamp, Maximum: p.seconds, Unit: 'Seconds' })),
    };
  }

  private describeAlarms(input: DescribeAlarmsCommandInput) {
    const found = (input.AlarmNames ?? []).flatMap((name) => {
      const state = this.alarms.get(name);
      return state ? [{ AlarmName: name, StateValue: state }] : [];
    });
    return { MetricAlarms: found, CompositeAlarms: [] };
  }
}
