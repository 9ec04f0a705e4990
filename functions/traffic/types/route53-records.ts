// route53-records: simple records (CNAME/A/AAAA) pointed at their recovery targets.
//   failover: one atomic UPSERT batch pointing every record of the resource at its recovery target,
//             then wait for INSYNC. Records already there are left alone, so a re-run after success
//             (or after a crash once the batch was sent) changes nothing.
//   drill:    writes the resource's drillRecordName with the first record's recovery target;
//             revert deletes it. Production records are never touched.
// Every action reads the records it needs with one paged listing of the zone (records.ts).
import type { Change as BatchChange } from '@aws-sdk/client-route-53';
import type { Change, ProgressResult, StepContext } from '../../shared/step-contract.ts';
import { startFailover } from '../change.ts';
import type { TrafficClients } from '../clients.ts';
import { asDrillRecord, type DrillSource } from '../drill.ts';
import { evaluate, fail, pass, warn } from '../evaluate.ts';
import type { RecordChecks } from '../readiness.ts';
import {
  cachedSeconds,
  describeAnswer,
  readRecords,
  recoveryRecordSet,
  sameAnswer,
  type ZoneRecords,
} from '../records.ts';
import type { TrafficState } from '../state.ts';
import { trafficTypeSteps } from '../traffic-type.ts';
import {
  fieldPath,
  type RecordsResource,
  type TrafficEvent,
  type UpsertRecord,
  zoneResource,
} from '../zone.ts';

type Event = TrafficEvent<RecordsResource>;

/** The first record's recovery target under the drill name: nothing to read, the plan says it all. */
function drillSource(event: Event): DrillSource {
  const [first] = event.resource.records;
  if (!first) throw new Error(`${fieldPath(event, 'records')} is empty (the schema requires one)`);
  const name = event.resource.drillRecordName;
  return {
    type: first.type,
    reads: [],
    build: () => asDrillRecord(recoveryRecordSet(first, name), name, first.type),
  };
}

export const route53RecordsSteps = trafficTypeSteps<RecordsResource>({ recordChecks, drillSource, failover });

async function failover(
  event: Event,
  clients: TrafficClients,
  context: StepContext,
): Promise<ProgressResult<TrafficState>> {
  const resource = event.resource;
  const startedAt = context.now().toISOString();
  const records = await readRecords(clients.route53, resource, resource.records, 'move the records');
  const batch: BatchChange[] = [];
  const changes: Change[] = [];
  const changed: string[] = [];
  for (const record of resource.records) {
    const current = records.find(record.name, record.type);
    const desired = recoveryRecordSet(record);
    if (current && !current.SetIdentifier && sameAnswer(current, desired)) continue;
    batch.push({ Action: 'UPSERT', ResourceRecordSet: desired });
    changed.push(record.name);
    changes.push({
      resource: `${record.name} ${record.type}`,
      action: 'upsert',
      detail: `${describeAnswer(current)} -> ${describeAnswer(desired)}`,
    });
  }

  return startFailover(event, clients.route53, context, {
    startedAt,
    batch,
    changes,
    alreadyDone: 'already point at the recovery target',
    submitted: `upserted ${changed.join(', ')} to the recovery target in ${zoneResource(resource)}`,
  });
}

function recordChecks(event: Event): RecordChecks {
  const resource = event.resource;
  const fix = `fix ${fieldPath(event, 'hostedZoneId')} in the plan`;
  return {
    reads: resource.records,
    drillType: resource.records[0]?.type ?? 'CNAME',
    evaluate: (records) =>
      resource.records.map((record) =>
        evaluate(`record:${record.name}`, fix, () => upsertRecord(records, record)),
      ),
    fallbackTtl: Math.max(...resource.records.map((r) => cachedSeconds(recoveryRecordSet(r)))),
  };
}

function upsertRecord(records: ZoneRecords, record: UpsertRecord) {
  const name = `record:${record.name}`;
  const label = `${record.name} ${record.type}`;
  const desired = recoveryRecordSet(record);
  const current = records.find(record.name, record.type);
  if (!current) {
    return warn(name, `${label} does not exist; failover will create it`, cachedSeconds(desired));
  }
  const cached = Math.max(cachedSeconds(current), cachedSeconds(desired));
  if (current.SetIdentifier) {
    return fail(
      name,
      `${label} is a routing-policy record set (SetIdentifier "${current.SetIdentifier}"), which an UPSERT ` +
        'of a simple record cannot replace: make the resource a route53-weighted one, or make it a simple record',
    );
  }
  if (sameAnswer(current, desired)) {
    return warn(name, `${label} already points at the recovery target (${describeAnswer(current)})`, cached);
  }
  return pass(
    name,
    `${label} answers ${describeAnswer(current)}; failover points it at ${describeAnswer(desired)}`,
    cached,
  );
}
