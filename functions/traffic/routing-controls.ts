// Reading and setting ARC routing controls through the cluster's data plane. Every call tries the
// cluster's regional endpoints in turn until one answers (AWS's documented practice: any endpoint
// may be down, and the control-config API that lists them is itself a control plane), the
// recovery region's endpoints first and the primary region's last: a failover must not wait on
// the failed region. A permanent answer (denied, not found, refused by a safety rule) ends the
// call at once, since another endpoint would answer the same.
import {
  GetRoutingControlStateCommand,
  type RoutingControlState,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import type { ResourceOfType } from '../../plan/schema.ts';
import { awsErrorName, toStepError } from '../shared/aws-errors.ts';
import {
  AwsRequestError,
  type DrRunbookError,
  RoutingControlNotFoundError,
  TransientAwsError,
} from '../shared/errors.ts';
import type { ResourceEvent } from '../shared/step-contract.ts';
import type { ClusterEndpoint, TrafficClients } from './clients.ts';

export type ArcResource = ResourceOfType<'arc-routing-control'>;
export type ArcEvent = ResourceEvent<ArcResource>;
export type ControlState = `${RoutingControlState}`;

/** The endpoints in the order calls try them: recovery region first, primary region last. */
export function endpointOrder(event: Pick<ArcEvent, 'resource' | 'plan'>): ClusterEndpoint[] {
  const { primary, recovery } = event.plan.regions;
  const rank = (endpoint: ClusterEndpoint) =>
    endpoint.region === recovery ? 0 : endpoint.region === primary ? 2 : 1;
  // Array.prototype.sort is stable: within a rank, the plan's order.
  return [...event.resource.clusterEndpoints].sort((a, b) => rank(a) - rank(b));
}

/** How messages name a routing control: the plan field that holds it, and its ARN. */
export function controlLabel(event: ArcEvent, arn: string): string {
  const { resource } = event;
  const field =
    arn === resource.primaryRoutingControlArn
      ? 'primary'
      : arn === resource.recoveryRoutingControlArn
        ? 'recovery'
        : 'drill';
  return `${field} routing control ${arn}`;
}

/** One endpoint's SDK error as a step error naming the control and what was being done. */
function classify(error: unknown, resource: string, operation: string): DrRunbookError {
  if (awsErrorName(error) === 'ConflictException') {
    // ARC refuses an update that would break a safety rule (e.g. "at least one cell On").
    return new AwsRequestError(
      `ARC refused to ${operation} on ${resource}: a safety rule of the control panel forbids the new states (${(error as Error).message}); fix the rule or the routing controls by hand`,
      resource,
      { cause: error },
    );
  }
  return toStepError(error, {
    resource,
    operation,
    notFound: { names: ['ResourceNotFoundException'], error: RoutingControlNotFoundError },
  });
}

/**
 * Sends one request through the first endpoint that answers. Throws the mapped error of a
 * permanent answer at once; when every endpoint failed transiently, a TransientAwsError naming each.
 */
export async function onAnyEndpoint<T>(
  event: ArcEvent,
  clients: TrafficClients,
  resource: string,
  operation: string,
  send: (client: ReturnType<TrafficClients['routingControl']>) => Promise<T>,
): Promise<T> {
  const failures: string[] = [];
  for (const endpoint of endpointOrder(event)) {
    try {
      return await send(clients.routingControl(endpoint));
    } catch (error) {
      const stepError = classify(error, resource, operation);
      if (!(stepError instanceof TransientAwsError)) throw stepError;
      failures.push(`${endpoint.region} (${endpoint.url}): ${awsErrorName(error) ?? 'error'}`);
    }
  }
  throw new TransientAwsError(
    `no endpoint of the ARC cluster answered to ${operation} on ${resource}: ${failures.join('; ')}`,
    resource,
  );
}

/** The state of one routing control, read through the first endpoint that answers. */
export async function readControl(
  event: ArcEvent,
  clients: TrafficClients,
  arn: string,
): Promise<ControlState> {
  const answer = await onAnyEndpoint(
    event,
    clients,
    controlLabel(event, arn),
    'read its state (route53-recovery-cluster:GetRoutingControlState)',
    (client) => client.send(new GetRoutingControlStateCommand({ RoutingControlArn: arn })),
  );
  const state = answer.RoutingControlState;
  if (state !== 'On' && state !== 'Off') {
    throw new AwsRequestError(
      `ARC answered no state for ${controlLabel(event, arn)} (${String(state)})`,
      controlLabel(event, arn),
    );
  }
  return state;
}

/** Sets routing controls in one transaction (ARC evaluates its safety rules on the new states). */
export async function setControls(
  event: ArcEvent,
  clients: TrafficClients,
  states: readonly { arn: string; state: ControlState }[],
): Promise<void> {
  const label = states.map(({ arn, state }) => `${controlLabel(event, arn)} ${state}`).join(', ');
  await onAnyEndpoint(
    event,
    clients,
    states.map(({ arn }) => controlLabel(event, arn)).join(' and '),
    `set ${label} (route53-recovery-cluster:UpdateRoutingControlStates)`,
    (client) =>
      client.send(
        new UpdateRoutingControlStatesCommand({
          UpdateRoutingControlStateEntries: states.map(({ arn, state }) => ({
            RoutingControlArn: arn,
            RoutingControlState: state,
          })),
        }),
      ),
  );
}
