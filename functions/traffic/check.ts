// Check (failover and drill, both traffic types): follow the change start submitted until Route 53
// reports INSYNC, i.e. every Route 53 name server answers with the new records.
import { InvalidStepInputError } from '../shared/errors.ts';
import { secondsBetween } from '../shared/polling.ts';
import type { ProgressResult, StepContext } from '../shared/step-contract.ts';
import { changeInSync } from './change.ts';
import type { TrafficClients } from './clients.ts';
import { progress } from './progress.ts';
import { readState, requireMode, type TrafficState } from './state.ts';
import { type TrafficEvent, zoneResource } from './zone.ts';

export async function checkTraffic(
  event: TrafficEvent,
  clients: TrafficClients,
  context: StepContext,
): Promise<ProgressResult<TrafficState>> {
  requireMode(event, 'check', ['drill', 'failover', 'switchover'], 'a dry-run only runs readiness');
  const state = readState(event);
  if (!state) {
    throw new InvalidStepInputError(
      `traffic check of ${event.resourceId} needs the state returned by traffic start (it has no Route 53 change to follow)`,
      zoneResource(event.resource),
    );
  }
  const what = state.drillRecordName
    ? `drill record ${state.drillRecordName}`
    : event.resource.records.map((record) => record.name).join(', ');
  if (!state.changeId) {
    return progress(
      'check',
      { done: true, detail: `${what}: nothing was changed, nothing to wait for`, state },
      state.startedAt,
      context,
    );
  }

  const insync = await changeInSync(clients.route53, state.changeId);
  const elapsed = secondsBetween(state.startedAt, context.now());
  return progress(
    'check',
    {
      done: insync,
      detail: insync
        ? `${what}: change ${state.changeId} is INSYNC on every Route 53 name server after ${Math.round(elapsed)} s`
        : `${what}: change ${state.changeId} is PENDING after ${Math.round(elapsed)} s`,
      state,
      ...(insync ? { measurements: { dnsSyncSeconds: elapsed } } : {}),
    },
    state.startedAt,
    context,
  );
}
