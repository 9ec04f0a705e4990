// Least privilege per step family: every mutating action is scoped to the plan's own resources.
// Actions AWS only authorizes on "*" are read-only and listed in READ_ONLY_WILDCARD_ACTIONS.
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { DrPlan, ResourceFamily } from '../plan/schema.ts';
import { type FamilyPermissions, readOnly } from './permissions/arns.ts';
import { computePermissions } from './permissions/compute.ts';
import { databasePermissions } from './permissions/database.ts';
import { hookPermissions } from './permissions/hook.ts';
import { trafficPermissions } from './permissions/traffic.ts';

export { drillInstancePrefix } from './permissions/database.ts';

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

/** Each family's statements and accepted wildcards: the union over exactly its resources. */
export function familyPermissions(scope: Construct, plan: DrPlan, family: ResourceFamily): FamilyPermissions {
  switch (family) {
    case 'database':
      return databasePermissions(scope, plan);
    case 'compute':
      return computePermissions(scope, plan);
    case 'traffic':
      return trafficPermissions(plan);
    case 'hook':
      return hookPermissions(plan);
  }
}

export function runbookStatements(): PolicyStatement[] {
  return [readOnly(['cloudwatch:DescribeAlarms'])];
}
