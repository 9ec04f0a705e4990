// Drill start (both strategies): write plan.drillRecordName with the answer failover would give the
// first production record, and never touch a production record. Revert deletes the drill record.
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { InvalidResourceStateError } from '../shared/errors.ts';
import type { ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import { progress, submitChange } from './change.ts';
import type { TrafficClients } from './clients.ts';
import { describeAnswer, findRecordSet, recoveryRecordSet, sameAnswer } from './records.ts';
import type { DrillRecord, TrafficState } from './state.ts';
import { weightedSets } from './weighted.ts';
import { assertDrillNameIsNotProduction, zoneResource } from './zone.ts';

/** A simple (no routing policy) record set giving `set`'s answer under the drill name. */
function asDrillRecord(set: ResourceRecordSet, name: string, type: DrillRecord['Type']): DrillRecord {
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

/** The record a drill writes: the first production record's recovery answer under the drill name. */
export async function drillRecordFor(event: StepEvent, clients: TrafficClients): Promise<DrillRecord> {
  const traffic = event.plan.traffic;
  const name = traffic.drillRecordName;
  if (traffic.strategy === 'upsert-records') {
    const [first] = traffic.records;
    if (!first) throw new Error('plan.traffic.records is empty (the schema requires one)');
    return asDrillRecord(recoveryRecordSet(first, name), name, first.type);
  }
  const [first] = traffic.records;
  if (!first) throw new Error('plan.traffic.records is empty (the schema requires one)');
  const { recovery } = await weightedSets(clients.route53, traffic, first);
  return asDrillRecord(recovery, name, first.type);
}

export async function startDrill(
  event: StepEvent,
  clients: TrafficClients,
  context: StepContext,
): Promise<ProgressResult<TrafficState>> {
  const traffic = event.plan.traffic;
  assertDrillNameIsNotProduction(traffic);
  const startedAt = context.now().toISOString();
  const drillRecordName = traffic.drillRecordName;
  const drillRecord = await drillRecordFor(event, clients);
  const label = `drill record ${drillRecordName} ${drillRecord.Type}`;

  const current = await findRecordSet(clients.route53, traffic, drillRecordName, drillRecord.Type);
  if (current?.SetIdentifier) {
    throw new InvalidResourceStateError(
      `${label} in ${zoneResource(traffic)} is a routing-policy record (SetIdentifier ` +
        `"${current.SetIdentifier}"), not one a drill writes: choose another traffic.drillRecordName`,
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

  const { changeId, insync } = await submitChange(clients.route53, traffic, event.run, 'drill', [
    { Action: 'UPSERT', ResourceRecordSet: drillRecord },
  ]);
  return progress(
    'start',
    {
      done: insync,
      detail:
        `wrote ${label} -> ${describeAnswer(drillRecord)} in ${zoneResource(traffic)} ` +
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
