// arc-routing-control: traffic moves through ARC's data plane, never Route 53's API (docs/design.md,
// "Traffic types"). Route 53 health checks tied to the routing controls move the DNS answers.
//   readiness: every cluster endpoint is asked for the primary control's state (side by side), then
//              the recovery and drill controls are read; which endpoints answered is a check.
//   failover:  recovery On and primary Off in one UpdateRoutingControlStates (one transaction, so
//              a safety rule such as "at least one cell On" holds); check reads them back.
//   drill:     the plan's drill routing control On (it steers drillRecordName), revert Off; without
//              one the drill only ran readiness, and says so. Production controls are never set.
import { GetRoutingControlStateCommand } from '@aws-sdk/client-route53-recovery-cluster';
import { formatIssues } from '../../../plan/format-issues.ts';
import * as z from '../../../plan/zod.ts';
import { awsErrorName, toStepError } from '../../shared/aws-errors.ts';
import { InvalidStepInputError, TransientAwsError } from '../../shared/errors.ts';
import type { ResourceSteps } from '../../shared/family-handler.ts';
import { secondsBetween } from '../../shared/polling.ts';
import type { Action, ProgressResult, ReadinessCheck, StepContext } from '../../shared/step-contract.ts';
import type { TrafficClients } from '../clients.ts';
import { evaluate } from '../evaluate.ts';
import { type ProgressFields, progress as traffic } from '../progress.ts';
import {
  type ArcEvent,
  type ArcResource,
  type ControlState,
  controlLabel,
  endpointOrder,
  readControl,
  setControls,
} from '../routing-controls.ts';
import { requireMode } from '../state.ts';
import { revertDrillSwitch } from '../switch-revert.ts';
import { fieldPath } from '../zone.ts';

const arcStateSchema = z.object({
  /** When start began: polling intervals and the switch time are measured from it. */
  startedAt: z.iso.datetime({ offset: true }),
  /** The drill had no drill routing control: it ran readiness only, nothing to check or revert. */
  readinessOnly: z.optional(z.boolean()),
});
type ArcState = z.output<typeof arcStateSchema>;

function readState(event: ArcEvent): ArcState | undefined {
  if (event.state === undefined) return undefined;
  const parsed = arcStateSchema.safeParse(event.state);
  if (parsed.success) return parsed.data;
  throw new InvalidStepInputError(
    `invalid arc-routing-control state: ${formatIssues(parsed.error, event.state).join('; ')}`,
    'traffic state',
  );
}

/** The states this run's mode sets: failover recovery On, primary Off; drill the drill control On. */
function targetStates(event: ArcEvent): { arn: string; state: ControlState }[] {
  const { resource } = event;
  if (event.run.mode === 'drill') {
    return resource.drillRoutingControlArn ? [{ arn: resource.drillRoutingControlArn, state: 'On' }] : [];
  }
  return [
    { arn: resource.recoveryRoutingControlArn, state: 'On' },
    { arn: resource.primaryRoutingControlArn, state: 'Off' },
  ];
}

/** The family's ProgressResult, its polling measured from when start began. */
const progress = (
  action: Exclude<Action, 'readiness'>,
  fields: ProgressFields<ArcState>,
  context: StepContext,
): ProgressResult<ArcState> => traffic(action, fields, fields.state.startedAt, context);

const describe = (event: ArcEvent, states: { arn: string; state: ControlState }[]) =>
  states.map(({ arn, state }) => `${controlLabel(event, arn)} ${state}`).join(', ');

/** Which targets a reading differs from. */
async function pending(
  event: ArcEvent,
  clients: TrafficClients,
  targets: { arn: string; state: ControlState }[],
) {
  const read = await Promise.all(
    targets.map(async (t) => ({ ...t, actual: await readControl(event, clients, t.arn) })),
  );
  return read.filter((t) => t.actual !== t.state);
}

// ---- readiness

/** The family's readiness evaluation (a permanent error is a failed check, a transient one is thrown), as a check. */
async function checked(
  name: string,
  fix: string,
  run: () => Promise<ReadinessCheck>,
): Promise<ReadinessCheck> {
  return (await evaluate(name, fix, async () => ({ check: await run() }))).check;
}

/** Asks every endpoint for the primary control's state, side by side: which of them answer. */
async function endpointsCheck(event: ArcEvent, clients: TrafficClients): Promise<ReadinessCheck> {
  const { resource } = event;
  const arn = resource.primaryRoutingControlArn;
  const endpoints = endpointOrder(event);
  const answers = await Promise.all(
    endpoints.map(async (endpoint) => {
      try {
        await clients
          .routingControl(endpoint)
          .send(new GetRoutingControlStateCommand({ RoutingControlArn: arn }));
        return { endpoint, error: undefined };
      } catch (error) {
        const stepError = toStepError(error, {
          resource: controlLabel(event, arn),
          operation: `read its state through ${endpoint.url} (route53-recovery-cluster:GetRoutingControlState)`,
        });
        // Denied or refused everywhere alike: the routing control check names it.
        if (!(stepError instanceof TransientAwsError)) return { endpoint, error: undefined };
        return { endpoint, error: awsErrorName(error) ?? 'error' };
      }
    }),
  );
  const down = answers.filter((a) => a.error !== undefined);
  const list = (some: typeof answers) => some.map((a) => `${a.endpoint.region} (${a.error})`).join(', ');
  if (down.length === 0) {
    return {
      name: 'cluster-endpoints',
      status: 'pass',
      detail: `all ${endpoints.length} cluster endpoints answer`,
    };
  }
  if (down.length === endpoints.length) {
    return {
      name: 'cluster-endpoints',
      status: 'fail',
      detail: `no cluster endpoint answers: ${list(down)}; check ${resource.id}.clusterEndpoints against DescribeCluster, and the network path to them`,
    };
  }
  return {
    name: 'cluster-endpoints',
    status: 'warn',
    detail: `${endpoints.length - down.length} of ${endpoints.length} cluster endpoints answer; not answering: ${list(down)} (a failover tries the others)`,
  };
}

async function controlsCheck(event: ArcEvent, clients: TrafficClients): Promise<ReadinessCheck> {
  return checked(
    'routing-controls',
    `fix ${fieldPath(event, 'recoveryRoutingControlArn')} or primaryRoutingControlArn in the plan`,
    async () => {
      const { resource } = event;
      const [primary, recovery] = await Promise.all([
        readControl(event, clients, resource.primaryRoutingControlArn),
        readControl(event, clients, resource.recoveryRoutingControlArn),
      ]);
      const now = `primary ${primary}, recovery ${recovery}`;
      if (primary === 'On' && recovery === 'Off') {
        return {
          name: 'routing-controls',
          status: 'pass',
          detail: `${now}: failover turns recovery On and primary Off`,
        };
      }
      if (primary === 'Off' && recovery === 'On') {
        return {
          name: 'routing-controls',
          status: 'warn',
          detail: `${now}: traffic already goes to the recovery cell`,
        };
      }
      return {
        name: 'routing-controls',
        status: 'warn',
        detail: `${now}: not the protected state (primary On, recovery Off); a failover still sets recovery On and primary Off`,
      };
    },
  );
}

async function drillCheck(event: ArcEvent, clients: TrafficClients): Promise<ReadinessCheck> {
  const arn = event.resource.drillRoutingControlArn;
  if (!arn) {
    return {
      name: 'drill-routing-control',
      status: 'warn',
      detail: `${event.resource.id} has no drillRoutingControlArn: a drill only runs its readiness (set drillRoutingControlArn and drillRecordName to rehearse the switch)`,
    };
  }
  return checked(
    'drill-routing-control',
    `fix ${fieldPath(event, 'drillRoutingControlArn')} in the plan`,
    async () => {
      const state = await readControl(event, clients, arn);
      return state === 'Off'
        ? {
            name: 'drill-routing-control',
            status: 'pass',
            detail: `${controlLabel(event, arn)} is Off; a drill turns it On and revert Off`,
          }
        : {
            name: 'drill-routing-control',
            status: 'warn',
            detail: `${controlLabel(event, arn)} is On (a drill is running, or one left it): revert turns it Off`,
          };
    },
  );
}

// ---- the steps

export const arcRoutingControlSteps: ResourceSteps<ArcResource, TrafficClients> = {
  expectedSeconds(resource) {
    return resource.expectedSyncSeconds;
  },

  async readiness(event, clients) {
    const checks = await Promise.all([
      endpointsCheck(event, clients),
      controlsCheck(event, clients),
      drillCheck(event, clients),
    ]);
    return { family: 'traffic', checks, predictedSeconds: event.resource.expectedSyncSeconds };
  },

  async start(event, clients, context) {
    requireMode(event, 'start', ['drill', 'failover', 'switchover'], 'a dry-run only runs readiness');
    const startedAt = context.now().toISOString();
    const targets = targetStates(event);
    if (targets.length === 0) {
      return progress(
        'start',
        {
          done: true,
          detail: `${event.resource.id} has no drill routing control: this drill ran its readiness only, and switched nothing`,
          state: { startedAt, readinessOnly: true },
        },
        context,
      );
    }
    const differing = await pending(event, clients, targets);
    if (differing.length === 0) {
      return progress(
        'start',
        {
          done: true,
          detail: `${describe(event, targets)} already; nothing to change`,
          state: { startedAt },
        },
        context,
      );
    }
    await setControls(event, clients, targets);
    return progress(
      'start',
      {
        done: false,
        detail: `set ${describe(event, targets)} through the cluster's data plane`,
        state: { startedAt },
        changes: differing.map(({ arn, state, actual }) => ({
          resource: controlLabel(event, arn),
          action: 'set-routing-control',
          detail: `${actual} -> ${state}`,
        })),
      },
      context,
    );
  },

  async check(event, clients, context) {
    requireMode(event, 'check', ['drill', 'failover', 'switchover'], 'a dry-run only runs readiness');
    const state = readState(event);
    if (!state) {
      throw new InvalidStepInputError(
        `traffic check of ${event.resourceId} needs the state returned by traffic start`,
        event.resource.id,
      );
    }
    const targets = state.readinessOnly ? [] : targetStates(event);
    const differing = targets.length === 0 ? [] : await pending(event, clients, targets);
    const elapsed = secondsBetween(state.startedAt, context.now());
    if (differing.length > 0) {
      return progress(
        'check',
        {
          done: false,
          detail: `${differing.map(({ arn, actual }) => `${controlLabel(event, arn)} still ${actual}`).join(', ')} after ${Math.round(elapsed)} s`,
          state,
        },
        context,
      );
    }
    return progress(
      'check',
      {
        done: true,
        detail:
          targets.length === 0
            ? `${event.resource.id}: nothing was switched, nothing to wait for`
            : `${describe(event, targets)}, read back through the cluster after ${Math.round(elapsed)} s`,
        state,
        ...(targets.length === 0 ? {} : { measurements: { dnsSyncSeconds: elapsed } }),
      },
      context,
    );
  },

  /** Drill only: the drill control back Off; done once a call reads it Off (the second look). */
  revert(event, clients, context) {
    const arn = event.resource.drillRoutingControlArn;
    return revertDrillSwitch(
      event,
      context,
      arn
        ? {
            label: controlLabel(event, arn),
            rest: 'Off',
            atRest: async () => (await readControl(event, clients, arn)) === 'Off',
            async restore() {
              await setControls(event, clients, [{ arn, state: 'Off' }]);
              return {
                detail: `set ${controlLabel(event, arn)} Off; the next call reads it back`,
                change: {
                  resource: controlLabel(event, arn),
                  action: 'set-routing-control',
                  detail: 'On -> Off',
                },
              };
            },
          }
        : undefined,
    );
  },
};
