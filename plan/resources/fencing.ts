// Which resources a failover or switchover fences (docs/design.md, "Fencing"): the old primary of a
// read replica, and the primary region's group of a compute resource that names it, unless the
// plan turned it off. Aurora global databases need nothing: the global failover demotes the old
// primary. Schema-free, so the state machine and the report read it without the schemas.
import type { Resource } from './index.ts';

export function fences(resource: Resource): boolean {
  switch (resource.type) {
    case 'rds-read-replica':
      return resource.fence;
    case 'auto-scaling-group':
      return resource.fence && resource.primaryAutoScalingGroupName !== undefined;
    default:
      return false;
  }
}

/** What fencing does to a resource, as the plan says it: for the report and validate. */
export function fenceTarget(resource: Resource): string | undefined {
  switch (resource.type) {
    case 'rds-read-replica':
      return resource.fence ? `stop DB instance ${resource.primaryInstanceId}` : undefined;
    case 'auto-scaling-group':
      return fences(resource) ? `scale group ${resource.primaryAutoScalingGroupName} to 0` : undefined;
    default:
      return undefined;
  }
}
