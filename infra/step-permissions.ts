// Least privilege per step family: every mutating action is scoped to the plan's own resources.
// Actions AWS only authorizes on "*" are read-only and listed in READ_ONLY_WILDCARD_ACTIONS.
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { DrPlan } from '../plan/schema.ts';

/** Read-only actions that IAM does not scope to a resource (AWS service authorization reference). */
export const READ_ONLY_WILDCARD_ACTIONS: Record<string, string> = {
  'rds:DescribeDBInstances': 'readiness/check read the replica and the drill instance',
  'rds:DescribeDBSnapshots': 'finds the newest snapshot copy; snapshot names are not known in advance',
  'cloudwatch:GetMetricStatistics': 'reads ReplicaLag (no resource-level permissions)',
  'cloudwatch:DescribeAlarms': 'verify reads the application alarm state',
  'autoscaling:DescribeAutoScalingGroups': 'Describe* of Auto Scaling supports only "*"',
  'ec2:DescribeImages': 'finds the newest plan-tagged AMI (Describe* of EC2 supports only "*")',
  'ec2:DescribeLaunchTemplates': 'EC2 Describe* supports only "*"',
  'ec2:DescribeLaunchTemplateVersions': 'EC2 Describe* supports only "*"',
  'route53:GetChange': 'change IDs are created at run time; read-only',
};

function arn(
  scope: Construct,
  service: string,
  resource: string,
  resourceName?: string,
  region?: string,
): string {
  return Stack.of(scope).formatArn({
    service,
    resource,
    resourceName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    ...(region === undefined ? {} : { region }),
  });
}

function readOnly(actions: string[]): PolicyStatement {
  return new PolicyStatement({ actions, resources: ['*'] });
}

/** The drill's temporary instance name prefix, mirrored from the database family. */
export function drillInstancePrefix(plan: DrPlan): string {
  return `drill-${plan.name}-`;
}

export function databaseStatements(scope: Construct, plan: DrPlan): PolicyStatement[] {
  const db = plan.database;
  const reads = readOnly([
    'rds:DescribeDBInstances',
    'rds:DescribeDBSnapshots',
    'cloudwatch:GetMetricStatistics',
  ]);
  if (db.strategy === 'none') return [reads];
  const drillDb = arn(scope, 'rds', 'db', `${drillInstancePrefix(plan)}*`);
  const failoverDb =
    db.strategy === 'promote-read-replica'
      ? arn(scope, 'rds', 'db', db.replicaInstanceId)
      : arn(scope, 'rds', 'db', db.restoredInstanceId);
  const restoreFrom = [
    arn(scope, 'rds', 'snapshot', '*'),
    arn(scope, 'rds', 'subgrp', '*'),
    arn(scope, 'rds', 'og', '*'),
    arn(scope, 'rds', 'pg', '*'),
    arn(scope, 'rds', 'secgrp', '*'),
  ];
  const statements = [
    reads,
    new PolicyStatement({
      sid: 'RestoreDrillOrRecoveryInstance',
      actions: ['rds:RestoreDBInstanceFromDBSnapshot'],
      resources: [drillDb, failoverDb, ...restoreFrom],
    }),
    new PolicyStatement({
      sid: 'TagWhatTheRunCreates',
      actions: ['rds:AddTagsToResource'],
      resources: [drillDb, failoverDb],
    }),
    new PolicyStatement({
      sid: 'DeleteOnlyDrillInstances',
      actions: ['rds:DeleteDBInstance'],
      resources: [drillDb],
      conditions: { StringEquals: { 'aws:ResourceTag/dr-runbook:purpose': 'drill' } },
    }),
  ];
  if (db.strategy === 'promote-read-replica') {
    statements.push(
      new PolicyStatement({
        sid: 'PromoteReplica',
        actions: ['rds:PromoteReadReplica'],
        resources: [arn(scope, 'rds', 'db', db.replicaInstanceId)],
      }),
    );
  }
  return statements;
}

export function computeStatements(scope: Construct, plan: DrPlan): PolicyStatement[] {
  const compute = plan.compute;
  const reads = readOnly([
    'autoscaling:DescribeAutoScalingGroups',
    'ec2:DescribeImages',
    'ec2:DescribeLaunchTemplates',
    'ec2:DescribeLaunchTemplateVersions',
  ]);
  if (compute.strategy === 'none') return [reads];
  const group = Stack.of(scope).formatArn({
    service: 'autoscaling',
    resource: 'autoScalingGroup',
    resourceName: `*:autoScalingGroupName/${compute.autoScalingGroupName}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const launchTemplates = Stack.of(scope).formatArn({
    service: 'ec2',
    resource: 'launch-template',
    resourceName: '*',
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  return [
    reads,
    new PolicyStatement({
      sid: 'ScaleTheStandbyGroup',
      actions: [
        'autoscaling:UpdateAutoScalingGroup',
        'autoscaling:CreateOrUpdateTags',
        'autoscaling:DeleteTags',
      ],
      resources: [group],
    }),
    new PolicyStatement({
      sid: 'LaunchTemplateVersions',
      actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:DeleteLaunchTemplateVersions'],
      resources: [launchTemplates],
    }),
    new PolicyStatement({
      sid: 'UpdateGroupWithLaunchTemplate',
      // Auto Scaling checks the caller may launch from the template it is given.
      actions: ['ec2:RunInstances'],
      resources: [launchTemplates],
    }),
  ];
}

export function trafficStatements(plan: DrPlan): PolicyStatement[] {
  const zoneId = plan.traffic.hostedZoneId.replace(/^\/hostedzone\//, '');
  const zone = `arn:aws:route53:::hostedzone/${zoneId}`;
  const names = [...plan.traffic.records.map((r) => r.name), plan.traffic.drillRecordName];
  return [
    readOnly(['route53:GetChange']),
    new PolicyStatement({
      sid: 'ReadTheZone',
      actions: ['route53:GetHostedZone', 'route53:ListResourceRecordSets'],
      resources: [zone],
    }),
    new PolicyStatement({
      sid: 'ChangeOnlyThePlanRecords',
      actions: ['route53:ChangeResourceRecordSets'],
      resources: [zone],
      conditions: {
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': names },
      },
    }),
  ];
}

export function runbookStatements(): PolicyStatement[] {
  return [readOnly(['cloudwatch:DescribeAlarms'])];
}
