// Revert (drill only): delete the drill record this run wrote, exactly as Route 53 lists it (a
// DELETE must match the record set field for field). Done only once two revert calls in a row
// found it gone: a single not-found (a listing, or a DELETE answered "not found") is never trusted.
// Never deletes a production record name, nor a drill-name record this run did not write.

import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { ChangeResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import type { TrafficPlan } from '../../plan/schema.ts';
import * as z from '../../plan/zod.ts';
import { awsErrorName } from '../shared/aws-errors.ts';
import { InvalidResourceStateError } from '../shared/errors.ts';
import { secondsBetween } from '../shared/polling.ts';
import type { ProgressResult, Run, StepContext, StepEvent } from '../shared/step-contract.ts';
import { type ProgressFields, progress } from './change.ts';
import type { TrafficClients } from './clients.ts';
import { drillRecordFor } from './drill.ts';
import { describeAnswer, findRecordSet, sameAnswer } from './records.ts';
import { readState, type TrafficState } from './state.ts';
import { assertDrillNameIsNotProduction, route53Call, zoneId, zoneResource } from './zone.ts';

/** The state of a revert in progress: the drill's state, and when the record was first seen gone. */
export type RevertState = TrafficState & {
  /** ISO time a revert call first found the drill record gone; the next call confirms it. */
  goneSeenAt?: string;
};

const goneSeenAtSchema = z.iso.datetime({ offset: true });

/** When an earlier call of this revert first saw the drill record gone, if it did. */
function goneSeenAt(event: StepEvent): string | undefined {
  const parsed = goneSeenAtSchema.safeParse(event.state?.goneSeenAt);
  return parsed.success ? parsed.data : undefined;
}

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
): Promise<ProgressResult<RevertState>> {
  const traffic = event.plan.traffic;
  const now = context.now().toISOString();
  const seenGone = goneSeenAt(event);
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

  const revertState: RevertState = { ...state, revertStartedAt: since };
  const result = (fields: ProgressFields & { state: RevertState }): ProgressResult<RevertState> => ({
    ...progress('revert', fields, since, context),
    state: fields.state,
  });
  /**
   * Route 53 says the record is not there: trusted only when the previous call saw the same
   * (`firstSighting` when this call itself has just seen it there).
   */
  const absent = (how: string, firstSighting = false): ProgressResult<RevertState> => {
    if (seenGone && !firstSighting) {
      return result({
        done: true,
        detail: `${label} is gone from ${zoneResource(traffic)}: ${how} again, ${Math.round(secondsBetween(seenGone, now))} s after it was first seen gone`,
        // Kept, so that a re-run with this state that finds it gone once more is done too.
        state: { ...revertState, goneSeenAt: seenGone },
      });
    }
    return result({
      done: false,
      detail: `${label}: ${how} in ${zoneResource(traffic)}; looking again before calling it gone`,
      state: { ...revertState, goneSeenAt: now },
    });
  };

  const found = await findRecordSet(clients.route53, traffic, name, type);
  if (!found) return absent('not found');
  if (found.SetIdentifier || !state.drillRecord || !sameAnswer(found, state.drillRecord)) {
    throw new InvalidResourceStateError(
      `refusing to delete ${label}: it now answers ${describeAnswer(found)}${found.SetIdentifier ? ` (SetIdentifier "${found.SetIdentifier}")` : ''}, ` +
        `not what this run's drill wrote (${describeAnswer(state.drillRecord)}); someone changed it since, so delete it by hand if it is a leftover`,
      name,
    );
  }

  // Found again after it was seen gone (e.g. a drill start still in flight wrote it late): deleted
  // as usual, and the confirmation starts over.
  const reappeared = seenGone ? `${label} reappeared after it was seen gone at ${seenGone}: ` : '';
  const deleted = await deleteRecordSet(clients.route53, traffic, event.run, found);
  if (!deleted) return absent('Route 53 says it was already deleted (concurrently)', true);
  return result({
    done: false,
    detail: `${reappeared}deleted ${label} from ${zoneResource(traffic)}; the next revert calls confirm it is gone`,
    state: revertState,
    changes: [
      { resource: `${name} ${type}`, action: 'delete', detail: `${describeAnswer(found)} (drill record)` },
    ],
  });
}
