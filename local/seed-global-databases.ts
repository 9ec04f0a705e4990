// Seeds the global databases of a plan (Aurora global databases, DynamoDB global tables) in the
// emulator. moto keeps one region per table and has no global-cluster failover, so the seeding
// creates what moto can hold and the emulator adapters (local/emulator-adapters.ts) answer the
// rest (replica status, failover); each adapter use is reported in the run's notes.
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateGlobalClusterCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import type { DrPlan, ResourceOfType } from '../plan/schema.ts';

const PASSWORD = 'local-emulator-only';

/** The global cluster with a primary cluster in the primary region and the secondary in the recovery region. */
export async function seedAuroraGlobalDatabase(
  plan: DrPlan,
  resource: ResourceOfType<'aurora-global-database'>,
  endpoint: string,
  created: string[],
): Promise<void> {
  const primary = new RDSClient({ region: plan.regions.primary, endpoint });
  const recovery = new RDSClient({ region: plan.regions.recovery, endpoint });
  await primary.send(
    new CreateGlobalClusterCommand({
      GlobalClusterIdentifier: resource.globalClusterId,
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
    }),
  );
  const primaryCluster = `${resource.globalClusterId}-primary`;
  await primary.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: primaryCluster,
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      MasterUsername: 'app',
      MasterUserPassword: PASSWORD,
      GlobalClusterIdentifier: resource.globalClusterId,
    }),
  );
  created.push(
    `${plan.regions.primary}: Aurora global database ${resource.globalClusterId}, primary cluster ${primaryCluster}`,
  );
  await recovery.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: resource.secondaryClusterId,
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      GlobalClusterIdentifier: resource.globalClusterId,
    }),
  );
  await recovery.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: `${resource.secondaryClusterId}-1`,
      DBClusterIdentifier: resource.secondaryClusterId,
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-postgresql',
    }),
  );
  created.push(`${plan.regions.recovery}: secondary cluster ${resource.secondaryClusterId} (1 instance)`);
  await lagDatapoint(
    plan,
    endpoint,
    'AWS/RDS',
    'AuroraGlobalDBRPOLag',
    [{ Name: 'DBClusterIdentifier', Value: resource.secondaryClusterId }],
    1500,
    'Milliseconds',
  );
  created.push(
    `${plan.regions.recovery}: AuroraGlobalDBRPOLag datapoint (1.5 s) for ${resource.secondaryClusterId}`,
  );
}

/** The table in the recovery region; that it is a global table is the emulator adapter's answer. */
export async function seedDynamodbGlobalTable(
  plan: DrPlan,
  resource: ResourceOfType<'dynamodb-global-table'>,
  endpoint: string,
  created: string[],
): Promise<void> {
  const dynamo = new DynamoDBClient({ region: plan.regions.recovery, endpoint });
  await dynamo.send(
    new CreateTableCommand({
      TableName: resource.tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  created.push(
    `${plan.regions.recovery}: DynamoDB table ${resource.tableName} (replica of ${plan.regions.primary})`,
  );
  await lagDatapoint(
    plan,
    endpoint,
    'AWS/DynamoDB',
    'ReplicationLatency',
    [
      { Name: 'TableName', Value: resource.tableName },
      { Name: 'ReceivingRegion', Value: plan.regions.recovery },
    ],
    800,
    'Milliseconds',
  );
  created.push(`${plan.regions.recovery}: ReplicationLatency datapoint (0.8 s) for ${resource.tableName}`);
}

async function lagDatapoint(
  plan: DrPlan,
  endpoint: string,
  namespace: string,
  metric: string,
  dimensions: { Name: string; Value: string }[],
  value: number,
  unit: 'Milliseconds' | 'Seconds',
): Promise<void> {
  const cloudWatch = new CloudWatchClient({ region: plan.regions.recovery, endpoint });
  await cloudWatch.send(
    new PutMetricDataCommand({
      Namespace: namespace,
      // A minute old, as CloudWatch publishes it (moto misses a datapoint of the query's own second).
      MetricData: [
        {
          MetricName: metric,
          Dimensions: dimensions,
          Value: value,
          Unit: unit,
          Timestamp: new Date(Date.now() - 60_000),
        },
      ],
    }),
  );
}
