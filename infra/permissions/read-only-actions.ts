// Read-only actions IAM authorizes only on "*", each with why the runbook needs it; cdk-nag is told
// these reasons (nag-acknowledgements.ts). No imports: both the permissions and the acknowledgements read it.

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
  'ec2:DescribeSecurityGroups':
    'rds-snapshot-restore readiness checks the security groups the restore names exist (EC2 Describe* supports only "*")',
  'route53:GetChange': 'change IDs are created at run time; read-only',
};

/**
 * Write actions IAM authorizes only on "*", each allowed only under the condition key that narrows
 * it to the plan's own (and why the runbook needs it).
 */
export const CONDITIONED_WILDCARD_ACTIONS: Record<string, { conditionKey: string; reason: string }> = {
  'cloudwatch:PutMetricData': {
    conditionKey: 'cloudwatch:namespace',
    reason:
      "route53-health-check-failover trips and clears its alarms by publishing their metrics; only in the plan's namespaces",
  },
};
