// Check (failover and drill): follow the change start submitted until Route 53 reports INSYNC,
// i.e. every Route 53 name server answers with the new records.
import { InvalidStepInputError } from '../shared/errors.ts';
import { secondsBetween } from '../shared/polling.ts';
import type { ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import { changeInSync, progress } from './change.ts';
import type { TrafficClients } from './clients.ts';
import { readState, type TrafficState } from './state.ts';

export async function checkTraffic(
  event: StepEvent,
  clients: TrafficClients,
  context: StepContext,
): Promise<ProgressResult<TrafficState>> {
  const state = readState(event);
  if (!state) {
    throw new InvalidStepInputError(
      'traffic check needs the state returned by traffic start (it has no Route 53 change to follow)',
      `hosted zone ${event.plan.traffic.hostedZoneId}`,
    );
  }
  const what = state.drillRecordName
    ? `drill record ${state.drillRecordName}`
    : (state.records ?? []).join(', ');
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
