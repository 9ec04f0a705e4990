// Drill start (both traffic types): write the resource's drillRecordName with the answer failover
// would give its first production record, and never touch a production record. Each traffic
// resource has a drill record of its own (the schema makes them distinct), so drills of several
// resources never write the same name. Revert (revert.ts) deletes the drill record.
import type { ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import { InvalidResourceStateError } from '../shared/errors.ts';
import type { ProgressResult, StepContext } from '../shared/step-contract.ts';
import { submitChange } from './change.ts';
import type { TrafficClients } from './clients.ts';
import { progress } from './progress.ts';
import { describeAnswer, type RecordKey, readRecords, sameAnswer, type ZoneRecords } from './records.ts';
import type { DrillRecord, TrafficState } from './state.ts';
import { assertDrillNameIsNotProduction, fieldPath, type TrafficEvent, zoneResource } from './zone.ts';

/** How a traffic type builds its drill record. */
export interface DrillSource {
  /** The drill record's type: the first production record's. */
  type: RRType;
  /** Records the drill record is built from, read in the same listing as the drill record. */
  reads: RecordKey[];
  /** The record a drill writes, from what the listing found. */
  build(records: ZoneRecords): DrillRecord;
}

/** A simple (no routing policy) record set giving `set`'s answer under the drill name. */
export function asDrillRecord(set: ResourceRecordSet, name: string, type: DrillRecord['Type']): DrillRecord {
  const alias = set.AliasTarget;
  if (alias) {
    return {
      Name: name,
      Type: type,
      AliasTarget: {
        HostedZoneId: alias.HostedZoneId ?? '',
        DNSName: alias.DNSName ?? '',
        EvaluateTargetHealth: alias.EvaluateTargetHealth ?? false,
      },
    };
  }
  const values = (set.ResourceRecords ?? []).map((record) => ({ Value: record.Value ?? '' }));
  return { Name: name, Type: type, TTL: set.TTL, ResourceRecords: values };
}

/** The drill record (built by `source`) and what sits at its name now, from one listing. */
export async function readDrillRecord(
  event: TrafficEvent,
  clients: TrafficClients,
  source: DrillSource,
  operation: string,
): Promise<{ drillRecord: DrillRecord; current?: ResourceRecordSet }> {
  const name = event.resource.drillRecordName;
  const records = await readRecords(
    clients.route53,
    event.resource,
    [{ name, type: source.type }, ...source.reads],
    operation,
  );
  const current = records.find(name, source.type);
  return { drillRecord: source.build(records), ...(current ? { current } : {}) };
}

export async function startDrill(
  event: TrafficEvent,
  clients: TrafficClients,
  context: StepContext,
  source: DrillSource,
): Promise<ProgressResult<TrafficState>> {
  const resource = event.resource;
  assertDrillNameIsNotProduction(event);
  const startedAt = context.now().toISOString();
  const drillRecordName = resource.drillRecordName;
  const { drillRecord, current } = await readDrillRecord(event, clients, source, 'write the drill record');
  const label = `drill record ${drillRecordName} ${drillRecord.Type}`;

  if (current?.SetIdentifier) {
    throw new InvalidResourceStateError(
      `${label} in ${zoneResource(resource)} is a routing-policy record (SetIdentifier ` +
        `"${current.SetIdentifier}"), not one a drill writes: choose another ${fieldPath(event, 'drillRecordName')}`,
      drillRecordName,
    );
  }
  if (current && sameAnswer(current, drillRecord)) {
    return progress(
      'start',
      {
        done: true,
        detail: `${label} already points at the recovery target (${describeAnswer(current)}); nothing to change`,
        state: { startedAt, drillRecordName, drillRecord },
      },
      startedAt,
      context,
    );
  }

  const { changeId, insync } = await submitChange(clients.route53, event, 'drill', [
    { Action: 'UPSERT', ResourceRecordSet: drillRecord },
  ]);
  return progress(
    'start',
    {
      done: insync,
      detail:
        `wrote ${label} -> ${describeAnswer(drillRecord)} in ${zoneResource(resource)} ` +
        `(change ${changeId} ${insync ? 'INSYNC' : 'PENDING'}); production records untouched`,
      state: { changeId, startedAt, drillRecordName, drillRecord },
      changes: [
        {
          resource: `${drillRecordName} ${drillRecord.Type}`,
          action: current ? 'upsert' : 'create',
          detail: `${describeAnswer(current)} -> ${describeAnswer(drillRecord)} (drill record; deleted on revert)`,
        },
      ],
    },
    startedAt,
    context,
  );
}
