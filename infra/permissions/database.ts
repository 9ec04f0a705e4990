// The database family's role: exactly the plan's database resources, type by type.
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { fences } from '../../plan/resources/fencing.ts';
import type { DrPlan, ResourceIn, ResourceOfType } from '../../plan/schema.ts';
import { resourcesOf } from '../../plan/steps.ts';
import { nagArn } from '../nag-acknowledgements.ts';
import { arn, type FamilyPermissions, readOnly } from './arns.ts';

/** The drill's temporary instance and cluster name prefix, mirrored from the database family. */
export function drillInstancePrefix(plan: Pick<DrPlan, 'name'>): string {
  return `drill-${plan.name}-`;
}

const RESTORE_READS =
  'a restore reads the snapshot and the subnet, option, parameter and security groups, whose names are not all in the plan';

type Db = ResourceIn<'database'>;

export function databasePermissions(scope: Construct, plan: DrPlan): FamilyPermissions {
  const region = plan.regions.recovery;
  const resources = resourcesOf(plan, 'database');
  // Readiness checks the security groups a snapshot restore names exist (only on "*").
  const securityGroups = resources.some(
    (r) => r.type === 'rds-snapshot-restore' && r.vpcSecurityGroupIds !== undefined,
  );
  const statements: PolicyStatement[] = [
    readOnly([
      'rds:DescribeDBInstances',
      'rds:DescribeDBSnapshots',
      'cloudwatch:GetMetricStatistics',
      ...(securityGroups ? ['ec2:DescribeSecurityGroups'] : []),
    ]),
  ];
  const wildcards: FamilyPermissions['wildcards'] = [];
  const drillDb = arn(scope, 'rds', 'db', `${drillInstancePrefix(plan)}*`);
  const rdsResources = resources.filter(
    (r) => r.type === 'rds-read-replica' || r.type === 'rds-snapshot-restore',
  );
  if (rdsResources.length > 0) {
    // A failover restores only to a snapshot-restore's target; a replica is promoted, never restored to.
    const targets = rdsResources.flatMap((r) =>
      r.type === 'rds-snapshot-restore' ? [arn(scope, 'rds', 'db', r.restoredInstanceId)] : [],
    );
    statements.push(
      new PolicyStatement({
        sid: 'RestoreDrillOrRecoveryInstance',
        actions: ['rds:RestoreDBInstanceFromDBSnapshot'],
        resources: [
          drillDb,
          ...targets,
          ...['snapshot', 'subgrp', 'og', 'pg', 'secgrp'].map((type) => arn(scope, 'rds', type, '*')),
        ],
      }),
      new PolicyStatement({
        sid: 'TagWhatTheRunCreates',
        actions: ['rds:AddTagsToResource'],
        resources: [drillDb, ...targets],
      }),
      new PolicyStatement({
        sid: 'DeleteOnlyDrillInstances',
        actions: ['rds:DeleteDBInstance'],
        resources: [drillDb],
        conditions: {
          StringEquals: {
            'aws:ResourceTag/dr-runbook:purpose': 'drill',
            'aws:ResourceTag/dr-runbook:plan': plan.name,
          },
        },
      }),
    );
    wildcards.push(
      {
        resource: nagArn(region, 'rds', `db:${drillInstancePrefix(plan)}*`),
        reason:
          'drill instances of this plan only; DeleteDBInstance also requires the tag dr-runbook:purpose=drill',
      },
      ...['snapshot:*', 'subgrp:*', 'og:*', 'pg:*', 'secgrp:*'].map((r) => ({
        resource: nagArn(region, 'rds', r),
        reason: RESTORE_READS,
      })),
    );
  }
  for (const resource of resources) statements.push(...typeStatements(scope, plan, resource));
  // Fencing stops the old primary of each read replica the plan fences, in the primary region
  // (functions/database/fence-primary.ts); one statement for all of them.
  const fencedPrimaries = resources.flatMap((r) =>
    r.type === 'rds-read-replica' && fences(r) ? [r.primaryInstanceId] : [],
  );
  if (fencedPrimaries.length > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'FenceTheOldPrimaries',
        actions: ['rds:StopDBInstance'],
        resources: fencedPrimaries.map((id) => arn(scope, 'rds', 'db', id, { region: plan.regions.primary })),
      }),
    );
  }
  if (resources.some((r) => r.type === 'aurora-global-database')) {
    statements.push(...auroraDrillStatements(scope, plan));
    wildcards.push(
      {
        resource: nagArn(region, 'rds', `cluster:${drillInstancePrefix(plan)}*`),
        reason:
          "drill clones of this plan's Aurora secondaries only; DeleteDBCluster also requires the tag dr-runbook:purpose=drill",
      },
      {
        resource: nagArn(region, 'rds', `db:${drillInstancePrefix(plan)}*`),
        reason: 'the drill clone’s one instance',
      },
      ...['subgrp:*', 'cluster-pg:*', 'pg:*'].map((r) => ({
        resource: nagArn(region, 'rds', r),
        reason:
          "a clone takes the secondary's subnet group and the engine's default parameter groups, whose names are not in the plan",
      })),
    );
  }
  const unique = [...new Map(wildcards.map((w) => [w.resource, w])).values()];
  return { statements, wildcards: unique };
}

function typeStatements(scope: Construct, plan: DrPlan, resource: Db): PolicyStatement[] {
  switch (resource.type) {
    case 'rds-read-replica':
      return [
        new PolicyStatement({
          actions: ['rds:PromoteReadReplica'],
          resources: [arn(scope, 'rds', 'db', resource.replicaInstanceId)],
        }),
        ...kmsStatements(resource.drill.kmsKeyArn),
      ];
    case 'rds-snapshot-restore':
      return [
        // Readiness reads the subnet and parameter groups the restore names (each must exist,
        // or AWS refuses the restore): in the recovery region, where the restore may read them too.
        new PolicyStatement({
          actions: ['rds:DescribeDBSubnetGroups', 'rds:DescribeDBParameterGroups'],
          resources: [arn(scope, 'rds', 'subgrp', '*'), arn(scope, 'rds', 'pg', '*')],
        }),
        ...kmsStatements(resource.kmsKeyArn),
      ];
    case 'aurora-global-database':
      return auroraStatements(scope, drillInstancePrefix(plan), resource);
    case 'dynamodb-global-table':
      return dynamodbStatements(scope, resource);
  }
}

function auroraStatements(
  scope: Construct,
  drillPrefix: string,
  resource: ResourceOfType<'aurora-global-database'>,
): PolicyStatement[] {
  const stack = Stack.of(scope);
  const globalCluster = `arn:${stack.partition}:rds::${stack.account}:global-cluster:${resource.globalClusterId}`;
  const secondary = arn(scope, 'rds', 'cluster', resource.secondaryClusterId);
  const drillCluster = arn(scope, 'rds', 'cluster', `${drillPrefix}*`);
  return [
    new PolicyStatement({
      actions: ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'],
      resources: [globalCluster, secondary, drillCluster],
    }),
    // Failover (unplanned) and switchover (planned, lossless) act on the global cluster and its target.
    new PolicyStatement({
      actions: ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'],
      resources: [globalCluster, secondary],
    }),
    // The clone is made from the secondary; nothing else may touch the secondary itself.
    new PolicyStatement({
      actions: ['rds:RestoreDBClusterToPointInTime'],
      resources: [
        secondary,
        drillCluster,
        arn(scope, 'rds', 'subgrp', '*'),
        arn(scope, 'rds', 'cluster-pg', '*'),
      ],
    }),
  ];
}

/** What every Aurora drill of the plan needs once: its clone's instance, tags and deletion. */
function auroraDrillStatements(scope: Construct, plan: DrPlan): PolicyStatement[] {
  const drillPrefix = drillInstancePrefix(plan);
  const drillCluster = arn(scope, 'rds', 'cluster', `${drillPrefix}*`);
  const drillInstance = arn(scope, 'rds', 'db', `${drillPrefix}*`);
  return [
    new PolicyStatement({
      sid: 'DrillCloneInstance',
      actions: ['rds:CreateDBInstance'],
      resources: [
        drillCluster,
        drillInstance,
        arn(scope, 'rds', 'subgrp', '*'),
        arn(scope, 'rds', 'pg', '*'),
      ],
    }),
    new PolicyStatement({
      sid: 'TagDrillClone',
      actions: ['rds:AddTagsToResource'],
      resources: [drillCluster, drillInstance],
    }),
    new PolicyStatement({
      sid: 'DeleteOnlyDrillClusters',
      actions: ['rds:DeleteDBCluster', 'rds:DeleteDBInstance'],
      resources: [drillCluster, drillInstance],
      conditions: {
        StringEquals: {
          'aws:ResourceTag/dr-runbook:purpose': 'drill',
          'aws:ResourceTag/dr-runbook:plan': plan.name,
        },
      },
    }),
  ];
}

function dynamodbStatements(
  scope: Construct,
  resource: ResourceOfType<'dynamodb-global-table'>,
): PolicyStatement[] {
  const table = arn(scope, 'dynamodb', 'table', resource.tableName, {
    format: ArnFormat.SLASH_RESOURCE_NAME,
  });
  return [
    new PolicyStatement({
      actions: ['dynamodb:DescribeTable'],
      resources: [table],
    }),
    new PolicyStatement({
      actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
      resources: [table],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${resource.drill.probeKeyPrefix}#*`] },
      },
    }),
  ];
}

/**
 * Restoring an encrypted snapshot copy: readiness reads the key's state (DescribeKey), and RDS uses
 * the key on the caller's behalf (a grant).
 */
function kmsStatements(keyArn: string | undefined): PolicyStatement[] {
  if (!keyArn) return [];
  return [
    new PolicyStatement({
      actions: ['kms:DescribeKey'],
      resources: [keyArn],
    }),
    new PolicyStatement({
      actions: ['kms:CreateGrant'],
      resources: [keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
  ];
}
