// Revert (drill only, both traffic types): delete the drill record this run wrote for this
// resource, exactly as Route 53 lists it (a DELETE must match the record set field for field).
// Done only once two revert calls in a row found it gone: a single not-found (a listing, or a
// DELETE answered "not found") is never trusted. Never deletes a production record name, nor a
// drill-name record this run did not write, nor another resource's drill record.

import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { ChangeResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import * as z from '../../plan/zod.ts';
import { awsErrorName } from '../shared/aws-errors.ts';
import { InvalidResourceStateError } from '../shared/errors.ts';
import { secondsBetween } from '../shared/polling.ts';
import type { ProgressResult, StepContext } from '../shared/step-contract.ts';
import { changeComment } from './change.ts';
import type { TrafficClients } from './clients.ts';
import type { DrillSource } from './drill.ts';
import { type ProgressFields, progress } from './progress.ts';
import { describeAnswer, readRecords, sameAnswer } from './records.ts';
import { readState, requireMode, type TrafficState } from './state.ts';
import {
  assertDrillNameIsNotProduction,
  fieldPath,
  route53Call,
  type TrafficEvent,
  zoneId,
  zoneResource,
} from './zone.ts';

/** The state of a revert in progress: the drill's state, and when the record was first seen gone. */
export type RevertState = TrafficState & {
  /** ISO time a revert call first found the drill record gone; the next call confirms it. */
  goneSeenAt?: string;
};

const goneSeenAtSchema = z.iso.datetime({ offset: true });

/** When an earlier call of this revert first saw the drill record gone, if it did. */
function goneSeenAt(event: TrafficEvent): string | undefined {
  const parsed = goneSeenAtSchema.safeParse(event.state?.goneSeenAt);
  return parsed.success ? parsed.data : undefined;
}

/** Deletes a record set; false when Route 53 says it is already gone (a concurrent delete). */
async function deleteRecordSet(
  client: Route53Client,
  event: TrafficEvent,
  set: ResourceRecordSet,
): Promise<boolean> {
  const resource = event.resource;
  return route53Call(
    resource,
    `delete drill record ${set.Name} (route53:ChangeResourceRecordSets)`,
    async () => {
      try {
        await client.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId(resource),
            ChangeBatch: {
              Comment: changeComment(event, 'drill revert'),
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
  event: TrafficEvent,
  clients: TrafficClients,
  context: StepContext,
  source: DrillSource,
): Promise<ProgressResult<RevertState>> {
  requireMode(event, 'revert', ['drill'], 'it undoes drills only; a failover is undone by failing back');
  const resource = event.resource;
  const now = context.now().toISOString();
  const seenGone = goneSeenAt(event);
  // Without a state (the first revert call, or a drill whose start never returned) the drill
  // record is the one this resource's drill writes: rebuilt from the plan, it must still answer the same.
  const state: TrafficState = readState(event) ?? {
    startedAt: now,
    drillRecordName: resource.drillRecordName,
  };
  const name = state.drillRecordName;
  if (name !== resource.drillRecordName) {
    throw new InvalidResourceStateError(
      `refusing to revert ${event.resourceId}: the state names ${name ? `drill record ${name}` : 'no drill record'}, ` +
        `but ${fieldPath(event, 'drillRecordName')} is ${resource.drillRecordName}; revert deletes only what this run's drill wrote for this resource`,
      name ?? resource.drillRecordName,
    );
  }
  assertDrillNameIsNotProduction(event);
  const type = state.drillRecord?.Type ?? source.type;
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
        detail: `${label} is gone from ${zoneResource(resource)}: ${how} again, ${Math.round(secondsBetween(seenGone, now))} s after it was first seen gone`,
        // Kept, so that a re-run with this state that finds it gone once more is done too.
        state: { ...revertState, goneSeenAt: seenGone },
      });
    }
    return result({
      done: false,
      detail: `${label}: ${how} in ${zoneResource(resource)}; looking again before calling it gone`,
      state: { ...revertState, goneSeenAt: now },
    });
  };

  // One listing: the drill record and, when the state does not say what the drill wrote, what
  // the drill record is built from.
  const records = await readRecords(
    clients.route53,
    resource,
    [{ name, type }, ...(state.drillRecord ? [] : source.reads)],
    'delete the drill record',
  );
  const found = records.find(name, type);
  if (!found) return absent('not found');
  const expected = state.drillRecord ?? source.build(records);
  if (found.SetIdentifier || !sameAnswer(found, expected)) {
    throw new InvalidResourceStateError(
      `refusing to delete ${label}: it now answers ${describeAnswer(found)}${found.SetIdentifier ? ` (SetIdentifier "${found.SetIdentifier}")` : ''}, ` +
        `not what this run's drill of ${event.resourceId} wrote (${describeAnswer(expected)}); someone changed it since, so delete it by hand if it is a leftover`,
      name,
    );
  }

  // Found again after it was seen gone (e.g. a drill start still in flight wrote it late): deleted
  // as usual, and the confirmation starts over.
  const reappeared = seenGone ? `${label} reappeared after it was seen gone at ${seenGone}: ` : '';
  const deleted = await deleteRecordSet(clients.route53, event, found);
  const confirming: RevertState = { ...revertState, drillRecord: expected };
  if (!deleted) {
    return absent('Route 53 says it was already deleted (concurrently)', true);
  }
  return result({
    done: false,
    detail: `${reappeared}deleted ${label} from ${zoneResource(resource)}; the next revert calls confirm it is gone`,
    state: confirming,
    changes: [
      { resource: `${name} ${type}`, action: 'delete', detail: `${describeAnswer(found)} (drill record)` },
    ],
  });
}
