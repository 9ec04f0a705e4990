// The traffic family: each resource type's actions (functions/traffic/types/<type>.ts).
//   route53-records:  failover upserts the records to their recovery targets in one batch.
//   route53-weighted: failover shifts the weights to the recovery record sets in one batch.
//   arc-routing-control: failover sets the ARC routing controls through the cluster's data plane.
//   route53-health-check-failover: failover trips the alarm the PRIMARY record's health check
//                    watches (CloudWatch's data plane), and checks by DNS.
// A drill writes the resource's own drill record or sets its own drill routing control (undone on
// revert), never a production one.
import type { FamilySteps } from '../shared/family-handler.ts';
import type { TrafficClients } from './clients.ts';
import { arcRoutingControlSteps } from './types/arc-routing-control.ts';
import { route53HealthCheckFailoverSteps } from './types/route53-health-check-failover.ts';
import { route53RecordsSteps } from './types/route53-records.ts';
import { route53WeightedSteps } from './types/route53-weighted.ts';

export const trafficSteps: FamilySteps<TrafficClients> = {
  'route53-records': route53RecordsSteps,
  'route53-weighted': route53WeightedSteps,
  'arc-routing-control': arcRoutingControlSteps,
  'route53-health-check-failover': route53HealthCheckFailoverSteps,
};
