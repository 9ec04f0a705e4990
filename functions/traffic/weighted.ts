// Failover for the weighted (active-active) strategy: the primary region's weighted record set goes
// to weight 0 and the recovery region's to plan.recoveryWeight, in one atomic batch. Every other
// field (values, TTL, alias, health check) is copied from what Route 53 returned, so an UPSERT
// changes the weight and nothing else.
import type { Change as BatchChange, ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { RecordNotFoundError } from '../shared/errors.ts';
import type { Change, ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import { startFailover } from './change.ts';
import type { TrafficClients } from './clients.ts';
import { listRecordSets } from './records.ts';
import type { TrafficState } from './state.ts';
import { trafficPlan, type WeightedPlan, type WeightedRecord, zoneResource } from './zone.ts';

export interface WeightedSets {
  primary: ResourceRecordSet;
  recovery: ResourceRecordSet;
}

/** The record's primary and recovery weighted sets; a missing one is a RecordNotFoundError naming it. */
export async function weightedSets(
  client: Route53Client,
  traffic: WeightedPlan,
  record: WeightedRecord,
): Promise<WeightedSets> {
  const sets = await listRecordSets(client, traffic, record.name, record.type);
  const find = (setIdentifier: string, field: string) => {
    const set = sets.find((candidate) => candidate.SetIdentifier === setIdentifier);
    if (set) return set;
    const resource = `${record.name} ${record.type} SetIdentifier "${setIdentifier}"`;
    throw new RecordNotFoundError(
      `weighted record ${resource} not found in ${zoneResource(traffic)}: create it, or fix traffic.records[].${field} in the plan`,
      resource,
    );
  };
  return {
    primary: find(record.primarySetIdentifier, 'primarySetIdentifier'),
    recovery: find(record.recoverySetIdentifier, 'recoverySetIdentifier'),
  };
}

export async function failoverWeighted(
  event: StepEvent,
  clients: TrafficClients,
  context: StepContext,
): Promise<ProgressResult<TrafficState>> {
  const traffic = trafficPlan(event, 'weighted');
  const startedAt = context.now().toISOString();
  const batch: BatchChange[] = [];
  const changes: Change[] = [];
  const shifted: string[] = [];
  for (const record of traffic.records) {
    const { primary, recovery } = await weightedSets(clients.route53, traffic, record);
    const targets: [ResourceRecordSet, number][] = [
      [primary, 0],
      [recovery, traffic.recoveryWeight],
    ];
    for (const [set, weight] of targets) {
      if (set.Weight === weight) continue;
      batch.push({ Action: 'UPSERT', ResourceRecordSet: { ...set, Weight: weight } });
      changes.push({
        resource: `${record.name} ${record.type} SetIdentifier "${set.SetIdentifier}"`,
        action: 'set-weight',
        detail: `weight ${set.Weight} -> ${weight}`,
      });
    }
    if (primary.Weight !== 0 || recovery.Weight !== traffic.recoveryWeight) shifted.push(record.name);
  }

  return startFailover(event, clients.route53, context, {
    startedAt,
    batch,
    changes,
    moved: shifted,
    alreadyDone: 'already send all traffic to the recovery set',
    submitted: `shifted ${shifted.join(', ')} to the recovery set (weight ${traffic.recoveryWeight}, primary 0) in ${zoneResource(traffic)}`,
  });
}
