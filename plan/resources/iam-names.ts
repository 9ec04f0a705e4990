// The names each resource type puts into its family's IAM policy, once per statement that lists
// them. plan/schema.ts sums them per family so that the biggest accepted plan's roles stay inside
// IAM's 10,240 characters of inline policy per role (infra/permissions/ writes the statements).
import { fences } from './fencing.ts';
import type { Resource } from './index.ts';

export function iamNames(resource: Resource): string[] {
  switch (resource.type) {
    case 'rds-read-replica':
      // Fencing stops the old primary (in the primary region).
      return [
        resource.replicaInstanceId,
        ...(fences(resource) ? [resource.primaryInstanceId] : []),
        ...twice(resource.drill.kmsKeyArn),
      ];
    case 'rds-snapshot-restore':
      return [resource.restoredInstanceId, resource.restoredInstanceId, ...twice(resource.kmsKeyArn)];
    case 'aurora-global-database':
      return [
        resource.globalClusterId,
        resource.globalClusterId,
        resource.secondaryClusterId,
        resource.secondaryClusterId,
        resource.secondaryClusterId,
      ];
    case 'dynamodb-global-table':
      // Two statements list the table, and the second is the table's own (its condition names the
      // probe key): its 170 or so characters besides the names count as a third listing.
      return [resource.tableName, resource.tableName, resource.tableName, resource.drill.probeKeyPrefix];
    case 'auto-scaling-group':
      return [
        resource.autoScalingGroupName,
        // Fencing scales the primary region's group to 0 and tags it.
        ...(fences(resource) && resource.primaryAutoScalingGroupName
          ? [resource.primaryAutoScalingGroupName]
          : []),
        ...(resource.instanceRoleArn ? [resource.instanceRoleArn.split(':').slice(5).join(':')] : []),
      ];
    case 'route53-records':
    case 'route53-weighted':
      return [
        resource.hostedZoneId,
        resource.hostedZoneId,
        ...resource.records.map((r) => r.name),
        resource.drillRecordName,
      ];
    case 'arc-routing-control':
      // Listed once (one statement for every routing control of the plan); the resource part of
      // each ARN is its name, as IAM_ARN_OVERHEAD counts the rest.
      return [
        resource.primaryRoutingControlArn,
        resource.recoveryRoutingControlArn,
        ...(resource.drillRoutingControlArn ? [resource.drillRoutingControlArn] : []),
      ].map((arn) => arn.split(':').slice(5).join(':'));
    case 'route53-health-check-failover': {
      // Its alarms (DescribeAlarms is on "*"), health checks and metric namespaces.
      const pairs = [resource, ...(resource.drill ? [resource.drill] : [])];
      return pairs.flatMap((pair) => [`healthcheck/${pair.healthCheckId}`, pair.alarm.namespace]);
    }
    case 'lambda-hook':
      return [resource.functionArn];
  }
}

function twice(name: string | undefined): string[] {
  return name ? [name, name] : [];
}
