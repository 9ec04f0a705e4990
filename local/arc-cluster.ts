// The ARC cluster of a simulation: moto has no Route 53 Application Recovery Controller, so the
// routing control states of the plan's arc-routing-control resources live here, and the SDK calls
// the traffic step makes to the cluster's endpoints (GetRoutingControlState,
// UpdateRoutingControlState(s)) are answered from them with ARC's own answer shapes. The request
// still passes the outage adapter first (per endpoint region), so an outage of the primary region
// refuses that region's endpoint and the step tries the next. The step logic runs unchanged; each
// use is noted in the run.
import type { CustomizableClient } from '../functions/shared/clients.ts';
import type { DrPlan } from '../plan/schema.ts';
import { resourcesOf } from '../plan/steps.ts';
import { activeRun, addInitialize, type Output } from './emulator-adapters.ts';

type State = 'On' | 'Off';

/** Routing control ARN → state, as the cluster would answer. */
const states = new Map<string, State>();

/** The plan's routing controls as a protected application has them: primary On, the rest Off. */
export function resetArcCluster(plan: DrPlan): string[] {
  states.clear();
  const created: string[] = [];
  for (const resource of resourcesOf(plan, 'traffic')) {
    if (resource.type !== 'arc-routing-control') continue;
    states.set(resource.primaryRoutingControlArn, 'On');
    states.set(resource.recoveryRoutingControlArn, 'Off');
    if (resource.drillRoutingControlArn) states.set(resource.drillRoutingControlArn, 'Off');
    created.push(
      `ARC (local): routing controls of ${resource.id}: primary On, recovery Off${resource.drillRoutingControlArn ? ', drill Off' : ''}`,
    );
  }
  return created;
}

/** The state of every routing control, for the before/after comparison of the environment. */
export function arcStates(): Record<string, State> {
  return Object.fromEntries(states);
}

/** The state of one routing control; undefined when the plan names no such control. */
export function arcState(arn: string): State | undefined {
  return states.get(arn);
}

const NOTE =
  'moto has no Route 53 ARC: routing control states are kept by the simulation (local/arc-cluster.ts) and answered through the SDK with ARC\u2019s own shapes';

function notFound(arn: string): Error {
  return Object.assign(new Error(`routing control ${arn} not found`), {
    name: 'ResourceNotFoundException',
    $metadata: { httpStatusCode: 404 },
  });
}

export function localRoutingControls(client: CustomizableClient): void {
  addInitialize(client, 'drRunbookLocalArc', (_next, context) => async (args) => {
    activeRun().log.notes.add(NOTE);
    const input = args.input as Output;
    switch (context.commandName) {
      case 'GetRoutingControlStateCommand': {
        const arn = String(input.RoutingControlArn);
        const state = states.get(arn);
        if (!state) throw notFound(arn);
        return { output: { $metadata: {}, RoutingControlArn: arn, RoutingControlState: state } };
      }
      case 'UpdateRoutingControlStateCommand':
      case 'UpdateRoutingControlStatesCommand': {
        const entries = (
          context.commandName === 'UpdateRoutingControlStateCommand'
            ? [input]
            : ((input.UpdateRoutingControlStateEntries as Output[] | undefined) ?? [])
        ).map((entry) => ({
          arn: String(entry.RoutingControlArn),
          state: entry.RoutingControlState as State,
        }));
        // One transaction: every control must exist before any changes.
        for (const { arn } of entries) if (!states.has(arn)) throw notFound(arn);
        for (const { arn, state } of entries) states.set(arn, state);
        return { output: { $metadata: {} } };
      }
      default:
        throw Object.assign(
          new Error(`the simulation's ARC cluster does not answer ${context.commandName}`),
          {
            name: 'ValidationException',
            $metadata: { httpStatusCode: 400 },
          },
        );
    }
  });
}
