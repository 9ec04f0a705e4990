// What the traffic resource types name, without their schemas: the Lambdas that need this (Verify,
// the report's advisories) carry no zod schema of the plan (docs/design.md, "State stays small").
import type { TrafficResource } from './traffic.ts';

/** The traffic types that change records through Route 53's API (a control plane in us-east-1). */
export type Route53TrafficResource = Extract<
  TrafficResource,
  { type: 'route53-records' | 'route53-weighted' }
>;

export function isRoute53Traffic(resource: { type: string }): resource is Route53TrafficResource {
  return resource.type === 'route53-records' || resource.type === 'route53-weighted';
}

/** The DNS names a traffic resource moves to the recovery region. */
export function servedNames(resource: TrafficResource): string[] {
  return isRoute53Traffic(resource) ? resource.records.map((r) => r.name) : [resource.recordName];
}

/** The name a drill of the resource steers instead of production; none when its drill only runs readiness. */
export function drillNameOf(resource: TrafficResource): string | undefined {
  return resource.type === 'route53-health-check-failover'
    ? resource.drill?.recordName
    : resource.drillRecordName;
}
