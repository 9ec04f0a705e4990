// route53-weighted: weighted records (active-active), one record set per region for each name.
//   failover: the primary region's weighted set goes to weight 0 and the recovery region's to
//             recoveryWeight, in one atomic batch. Every other field (values, TTL, alias, health
//             check) is copied from what Route 53 listed, so an UPSERT changes the weight and
//             nothing else.
//   drill:    writes the resource's drillRecordName as a simple copy of the first record's
//             recovery set; revert deletes it. Production records are never touched.
// Every action reads the records it needs with one paged listing of the zone (records.ts).
import type { Change as BatchChange, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { RecordNotFoundError } from '../../shared/errors.ts';
import type { Change, ProgressResult, StepContext } from '../../shared/step-contract.ts';
import { startFailover } from '../change.ts';
import type { TrafficClients } from '../clients.ts';
import { asDrillRecord, type DrillSource } from '../drill.ts';
import { evaluate, fail, pass, warn } from '../evaluate.ts';
import type { RecordChecks } from '../readiness.ts';
import { cachedSeconds, readRecords, type ZoneRecords } from '../records.ts';
import type { TrafficState } from '../state.ts';
import { trafficTypeSteps } from '../traffic-type.ts';
import {
  fieldPath,
  type TrafficEvent,
  type WeightedRecord,
  type WeightedResource,
  zoneResource,
} from '../zone.ts';

type Event = TrafficEvent<WeightedResource>;

export interface WeightedSets {
  primary: ResourceRecordSet;
  recovery: ResourceRecordSet;
}

/** Record `k`'s primary and recovery weighted sets; a missing one is a RecordNotFoundError naming it. */
export function weightedSets(event: Event, records: ZoneRecords, k: number): WeightedSets {
  const record = event.resource.records[k] as WeightedRecord;
  const sets = records.all(record.name, record.type);
  const find = (setIdentifier: string, field: string) => {
    const set = sets.find((candidate) => candidate.SetIdentifier === setIdentifier);
    if (set) return set;
    const resource = `${record.name} ${record.type} SetIdentifier "${setIdentifier}"`;
    throw new RecordNotFoundError(
      `weighted record ${resource} not found in ${zoneResource(event.resource)}: create it, or fix ${fieldPath(event, `records[${k}].${field}`)} in the plan`,
      resource,
    );
  };
  return {
    primary: find(record.primarySetIdentifier, 'primarySetIdentifier'),
    recovery: find(record.recoverySetIdentifier, 'recoverySetIdentifier'),
  };
}

/** A simple copy of the first record's recovery set, read in the drill's listing. */
function drillSource(event: Event): DrillSource {
  const [first] = event.resource.records;
  if (!first) throw new Error(`${fieldPath(event, 'records')} is empty (the schema requires one)`);
  const name = event.resource.drillRecordName;
  return {
    type: first.type,
    reads: [first],
    build: (records) => asDrillRecord(weightedSets(event, records, 0).recovery, name, first.type),
  };
}

export const route53WeightedSteps = trafficTypeSteps<WeightedResource>({
  recordChecks,
  drillSource,
  failover,
});

async function failover(
  event: Event,
  clients: TrafficClients,
  context: StepContext,
): Promise<ProgressResult<TrafficState>> {
  const resource = event.resource;
  const startedAt = context.now().toISOString();
  const records = await readRecords(clients.route53, resource, resource.records, 'shift the weights');
  const batch: BatchChange[] = [];
  const changes: Change[] = [];
  const shifted: string[] = [];
  resource.records.forEach((record, k) => {
    const { primary, recovery } = weightedSets(event, records, k);
    const targets: [ResourceRecordSet, number][] = [
      [primary, 0],
      [recovery, resource.recoveryWeight],
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
    if (primary.Weight !== 0 || recovery.Weight !== resource.recoveryWeight) shifted.push(record.name);
  });

  return startFailover(event, clients.route53, context, {
    startedAt,
    batch,
    changes,
    alreadyDone: 'already send all traffic to the recovery set',
    submitted: `shifted ${shifted.join(', ')} to the recovery set (weight ${resource.recoveryWeight}, primary 0) in ${zoneResource(resource)}`,
  });
}

function recordChecks(event: Event): RecordChecks {
  const resource = event.resource;
  return {
    reads: resource.records,
    drillType: resource.records[0]?.type ?? 'CNAME',
    evaluate: (records) =>
      resource.records.map((record, k) =>
        evaluate(
          `record:${record.name}`,
          'create the weighted record set, or fix its SetIdentifier in the plan',
          () => weightedRecord(event, records, k),
        ),
      ),
    fallbackTtl: 0,
  };
}

function weightedRecord(event: Event, records: ZoneRecords, k: number) {
  const resource = event.resource;
  const record = resource.records[k] as WeightedRecord;
  const name = `record:${record.name}`;
  const label = `${record.name} ${record.type}`;
  const { primary, recovery } = weightedSets(event, records, k);
  const cached = Math.max(cachedSeconds(primary), cachedSeconds(recovery));
  const unweighted = [primary, recovery].find((set) => set.Weight === undefined);
  if (unweighted) {
    return fail(
      name,
      `${label} SetIdentifier "${unweighted.SetIdentifier}" has no weight (another routing policy): ` +
        'a route53-weighted resource needs weighted record sets',
    );
  }
  const weights =
    `"${record.primarySetIdentifier}" weight ${primary.Weight}, ` +
    `"${record.recoverySetIdentifier}" weight ${recovery.Weight}`;
  if (primary.Weight === 0 && recovery.Weight === resource.recoveryWeight) {
    return warn(name, `${label}: ${weights}: already sends all traffic to the recovery set`, cached);
  }
  return pass(name, `${label}: ${weights}; failover sets them to 0 and ${resource.recoveryWeight}`, cached);
}
