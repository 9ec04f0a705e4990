// Revert (drill only): delete the drill record this run wrote, exactly as Route 53 lists it (a
// DELETE must match the record set field for field). The next revert call confirms it is gone.
// Never deletes a production record name, nor a drill-name record this run did not write.

import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { ChangeResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import type { TrafficPlan } from '../../plan/schema.ts';
import { awsErrorName } from '../shared/aws-errors.ts';
import { InvalidResourceStateError } from '../shared/errors.ts';
import type { ProgressResult, Run, StepContext, StepEvent } from '../shared/step-contract.ts';
import { progress } from './change.ts';
import type { TrafficClients } from './clients.ts';
import { drillRecordFor } from './drill.ts';
import { describeAnswer, findRecordSet, sameAnswer } from './records.ts';
import { readState, type TrafficState } from './state.ts';
import { assertDrillNameIsNotProduction, route53Call, zoneId, zoneResource } from './zone.ts';

/** Deletes a record set; false when Route 53 says it is already gone (a concurrent delete). */
async function deleteRecordSet(
  client: Route53Client,
  traffic: TrafficPlan,
  run: Run,
  set: ResourceRecordSet,
): Promise<boolean> {
  return route53Call(
    traffic,
    `delete drill record ${set.Name} (route53:ChangeResourceRecordSets)`,
    async () => {
      try {
        await client.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId(traffic),
            ChangeBatch: {
              Comment: `dr-runbook ${run.id} drill revert`,
              Changes: [{ Action: 'DELETE', ResourceRecordSet: set }],
            },
          }),
        );
        return true;
      } catch (error) {
        const message = error instanceof Error ? error.message : '';
        if (awsErrorName(error) === 'InvalidChangeBatch' && /not found/i.test(message)) return false;
        throw error;
      }
    },
  );
}

export async function revertDrill(
  event: StepEvent,
  clients: TrafficClients,
  context: StepContext,
): Promise<ProgressResult<TrafficState>> {
  const traffic = event.plan.traffic;
  const now = context.now().toISOString();
  // Without a state (the first revert call, or a drill whose start never returned) the drill
  // record is the one this plan's drill writes: rebuilt from the plan, it must still answer the same.
  const state = readState(event) ?? {
    startedAt: now,
    drillRecordName: traffic.drillRecordName,
    drillRecord: await drillRecordFor(event, clients),
  };
  const name = state.drillRecordName;
  if (name !== traffic.drillRecordName) {
    throw new InvalidResourceStateError(
      `refusing to revert: the state names ${name ? `drill record ${name}` : 'no drill record'}, ` +
        `but this plan's drill record is ${traffic.drillRecordName}; revert deletes only what this run's drill wrote`,
      name ?? traffic.drillRecordName,
    );
  }
  assertDrillNameIsNotProduction(traffic);
  const type = state.drillRecord?.Type ?? traffic.records[0]?.type ?? 'CNAME';
  const label = `drill record ${name} ${type}`;
  const since = state.revertStartedAt ?? now;

  const found = await findRecordSet(clients.route53, traffic, name, type);
  if (!found) {
    return progress(
      'revert',
      { done: true, detail: `${label} is gone from ${zoneResource(traffic)}`, state },
      since,
      context,
    );
  }
  if (found.SetIdentifier || !state.drillRecord || !sameAnswer(found, state.drillRecord)) {
    throw new InvalidResourceStateError(
      `refusing to delete ${label}: it now answers ${describeAnswer(found)}${found.SetIdentifier ? ` (SetIdentifier "${found.SetIdentifier}")` : ''}, ` +
        `not what this run's drill wrote (${describeAnswer(state.drillRecord)}); someone changed it since, so delete it by hand if it is a leftover`,
      name,
    );
  }

  const deleted = await deleteRecordSet(clients.route53, traffic, event.run, found);
  const revertState = { ...state, revertStartedAt: since };
  if (!deleted) {
    return progress(
      'revert',
      { done: true, detail: `${label} was already deleted (concurrently)`, state: revertState },
      since,
      context,
    );
  }
  return progress(
    'revert',
    {
      done: false,
      detail: `deleted ${label} from ${zoneResource(traffic)}; the next revert confirms it is gone`,
      state: revertState,
      changes: [
        { resource: `${name} ${type}`, action: 'delete', detail: `${describeAnswer(found)} (drill record)` },
      ],
    },
    since,
    context,
  );
}
