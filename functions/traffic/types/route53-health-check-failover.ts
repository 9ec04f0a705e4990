// route53-health-check-failover: traffic moves through data planes only (docs/design.md, "Traffic
// without a control plane"). The PRIMARY/SECONDARY failover records exist already; the PRIMARY's
// health check watches an alarm in the recovery region.
//   readiness: the alarm is read and judged as a switch (switch-alarm.ts), the name is looked up
//              (it must answer, and not yet the secondary), and the health check is read through
//              Route 53's API as advice only: one short attempt, a warning when it does not answer.
//   failover:  publish 1 to the alarm's metric; check reads the alarm (publishing again until it
//              is in ALARM, for alarms that need several datapoints) and then DNS, until the name
//              answers the secondary.
//   drill:     the same on the plan's own drill pair; revert publishes 0 until a read finds the
//              drill alarm OK. Without a drill pair a drill only runs readiness, and says so.
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { formatIssues } from '../../../plan/format-issues.ts';
import * as z from '../../../plan/zod.ts';
import { answers, describeAnswer } from '../../shared/dns.ts';
import { InvalidResourceStateError, InvalidStepInputError } from '../../shared/errors.ts';
import type { ResourceSteps } from '../../shared/family-handler.ts';
import { secondsBetween } from '../../shared/polling.ts';
import type { Action, ProgressResult, ReadinessCheck, StepContext } from '../../shared/step-contract.ts';
import type { TrafficClients } from '../clients.ts';
import { evaluate } from '../evaluate.ts';
import { type ProgressFields, progress as traffic } from '../progress.ts';
import { requireMode } from '../state.ts';
import {
  alarmLabel,
  drillPair,
  type HealthCheckFailoverEvent,
  type HealthCheckFailoverResource,
  judgeAlarm,
  pairOf,
  productionPair,
  publish,
  readAlarm,
  readHealthCheck,
  type SwitchPair,
} from '../switch-alarm.ts';
import { revertDrillSwitch } from '../switch-revert.ts';
import { fieldPath } from '../zone.ts';

const switchStateSchema = z.object({
  /** When start began: polling intervals and the switch time are measured from it. */
  startedAt: z.iso.datetime({ offset: true }),
  /** The drill had no drill pair: it ran readiness only, nothing to check or revert. */
  readinessOnly: z.optional(z.boolean()),
});
type SwitchState = z.output<typeof switchStateSchema>;

function readState(event: HealthCheckFailoverEvent): SwitchState {
  const parsed = switchStateSchema.safeParse(event.state);
  if (parsed.success) return parsed.data;
  throw new InvalidStepInputError(
    event.state === undefined
      ? `traffic ${event.action} of ${event.resourceId} needs the state returned by traffic start`
      : `invalid route53-health-check-failover state: ${formatIssues(parsed.error, event.state).join('; ')}`,
    'traffic state',
  );
}

const progress = (
  action: Exclude<Action, 'readiness'>,
  fields: ProgressFields<SwitchState>,
  context: StepContext,
): ProgressResult<SwitchState> => traffic(action, fields, fields.state.startedAt, context);

const publishChange = (pair: SwitchPair, value: 0 | 1, alarm: MetricAlarm) => ({
  resource: alarmLabel(pair.alarm),
  action: 'publish-metric',
  detail: `${pair.alarm.namespace}/${pair.alarm.metricName} = ${value} (alarm ${alarm.StateValue} -> ${value === 1 ? 'ALARM' : 'OK'})`,
});

/** The alarm as the switch, or the reason it cannot be one (start refuses rather than wait in vain). */
async function switchAlarm(event: HealthCheckFailoverEvent, clients: TrafficClients, pair: SwitchPair) {
  const alarm = await readAlarm(event, clients, pair);
  const { fails } = judgeAlarm(event, pair, alarm);
  if (fails.length > 0) {
    throw new InvalidResourceStateError(
      `${alarmLabel(pair.alarm)} cannot switch ${pair.recordName}: it ${fails.join('; it ')}`,
      alarmLabel(pair.alarm),
    );
  }
  return alarm;
}

// ---- readiness

const check = (name: string, status: ReadinessCheck['status'], detail: string): ReadinessCheck => ({
  name,
  status,
  detail,
});

async function alarmCheck(
  event: HealthCheckFailoverEvent,
  clients: TrafficClients,
  pair: SwitchPair,
  name: string,
): Promise<ReadinessCheck> {
  const evaluated = await evaluate(name, `fix ${fieldPath(event, `${pair.field}alarm`)}`, async () => {
    const alarm = await readAlarm(event, clients, pair);
    const { fails, warns, switchSeconds } = judgeAlarm(event, pair, alarm);
    const label = alarmLabel(pair.alarm);
    if (fails.length > 0) return { check: check(name, 'fail', `${label} ${fails.join('; it ')}`) };
    const state = alarm.StateValue ?? 'INSUFFICIENT_DATA';
    const atRest = pair.field === '' ? 'the primary serves' : 'no drill runs';
    if (state !== 'OK') {
      return {
        check: check(
          name,
          'warn',
          `${label} is ${state}, not OK as it is while ${atRest}${state === 'ALARM' ? ` (${pair.recordName} already fails over, or a run left it)` : ''}${warns.length > 0 ? `; it ${warns.join('; it ')}` : ''}`,
        ),
      };
    }
    if (warns.length > 0) return { check: check(name, 'warn', `${label} is OK; it ${warns.join('; it ')}`) };
    return {
      check: check(
        name,
        'pass',
        `${label} is OK and trips within about ${switchSeconds} s of a published 1 (${pair.alarm.namespace}/${pair.alarm.metricName})`,
      ),
    };
  });
  return evaluated.check;
}

async function dnsCheck(
  event: HealthCheckFailoverEvent,
  clients: TrafficClients,
  pair: SwitchPair,
  name: string,
): Promise<ReadinessCheck> {
  const { secondaryAnswer } = event.resource;
  const { answer, matches } = await answers(clients.dns, pair.recordName, secondaryAnswer);
  const now = `${pair.recordName} answers ${describeAnswer(answer)}`;
  if (answer.error) return check(name, 'warn', `${now}: could not tell where it sends users`);
  if (answer.missing) {
    return check(
      name,
      'fail',
      `${pair.recordName} does not resolve: the PRIMARY/SECONDARY failover records must exist (fix ${fieldPath(event, `${pair.field}recordName`)} or create them)`,
    );
  }
  if (matches) return check(name, 'warn', `${now}, the secondary (${secondaryAnswer}) already`);
  return check(name, 'pass', `${now}; a failover makes it answer ${secondaryAnswer}`);
}

async function pairChecks(
  event: HealthCheckFailoverEvent,
  clients: TrafficClients,
  pair: SwitchPair,
  prefix: string,
): Promise<ReadinessCheck[]> {
  const health = await readHealthCheck(event, clients, pair);
  return Promise.all([
    alarmCheck(event, clients, pair, `${prefix}alarm`),
    dnsCheck(event, clients, pair, `${prefix}dns`),
    Promise.resolve(check(`${prefix}health-check`, health.status, health.detail)),
  ]);
}

// ---- the steps

export const route53HealthCheckFailoverSteps: ResourceSteps<HealthCheckFailoverResource, TrafficClients> = {
  expectedSeconds(resource) {
    return resource.expectedSyncSeconds;
  },

  async readiness(event, clients) {
    const { resource } = event;
    const drill = drillPair(resource);
    // A failover or switchover never touches the drill pair: its readiness asks nothing of it
    // (one Route 53 API read fewer while that control plane may be down).
    const movesProduction = event.run.mode === 'failover' || event.run.mode === 'switchover';
    const [main, drillChecks] = await Promise.all([
      pairChecks(event, clients, productionPair(resource), ''),
      movesProduction
        ? Promise.resolve([])
        : drill
          ? pairChecks(event, clients, drill, 'drill-')
          : Promise.resolve([
              check(
                'drill-pair',
                'warn',
                `${resource.id} has no drill pair: a drill only runs its readiness (set drill.recordName, drill.healthCheckId and drill.alarm to rehearse the switch)`,
              ),
            ]),
    ]);
    return {
      family: 'traffic',
      checks: [...main, ...drillChecks],
      predictedSeconds: resource.expectedSyncSeconds,
    };
  },

  async start(event, clients, context) {
    requireMode(event, 'start', ['drill', 'failover', 'switchover'], 'a dry-run only runs readiness');
    const startedAt = context.now().toISOString();
    const pair = pairOf(event);
    if (!pair) {
      return progress(
        'start',
        {
          done: true,
          detail: `${event.resource.id} has no drill pair: this drill ran its readiness only, and switched nothing`,
          state: { startedAt, readinessOnly: true },
        },
        context,
      );
    }
    const alarm = await switchAlarm(event, clients, pair);
    if (alarm.StateValue === 'ALARM') {
      return progress(
        'start',
        {
          done: false,
          detail: `${alarmLabel(pair.alarm)} is in ALARM already; check waits until ${pair.recordName} answers ${event.resource.secondaryAnswer}`,
          state: { startedAt },
        },
        context,
      );
    }
    await publish(event, clients, pair, 1, context.now());
    return progress(
      'start',
      {
        done: false,
        detail: `published 1 to ${pair.alarm.namespace}/${pair.alarm.metricName} in ${event.plan.regions.recovery}: ${alarmLabel(pair.alarm)} trips, and health check ${pair.healthCheckId} with it`,
        state: { startedAt },
        changes: [publishChange(pair, 1, alarm)],
      },
      context,
    );
  },

  async check(event, clients, context) {
    requireMode(event, 'check', ['drill', 'failover', 'switchover'], 'a dry-run only runs readiness');
    const state = readState(event);
    const pair = state.readinessOnly ? undefined : pairOf(event);
    const elapsed = secondsBetween(state.startedAt, context.now());
    const after = `after ${Math.round(elapsed)} s`;
    if (!pair) {
      return progress(
        'check',
        { done: true, detail: `${event.resource.id}: nothing was switched, nothing to wait for`, state },
        context,
      );
    }
    const alarm = await readAlarm(event, clients, pair);
    if (alarm.StateValue !== 'ALARM') {
      // An alarm that needs several datapoints gets one more each check (each is another 1).
      await publish(event, clients, pair, 1, context.now());
      return progress(
        'check',
        {
          done: false,
          detail: `${alarmLabel(pair.alarm)} is ${alarm.StateValue ?? 'INSUFFICIENT_DATA'} ${after}; published 1 again`,
          state,
        },
        context,
      );
    }
    const { answer, matches } = await answers(clients.dns, pair.recordName, event.resource.secondaryAnswer);
    if (!matches) {
      return progress(
        'check',
        {
          done: false,
          detail: `${alarmLabel(pair.alarm)} is in ALARM; ${pair.recordName} still answers ${describeAnswer(answer)} ${after} (health checkers and resolver caches follow)`,
          state,
        },
        context,
      );
    }
    return progress(
      'check',
      {
        done: true,
        detail: `${pair.recordName} answers ${event.resource.secondaryAnswer}, the secondary, ${after}`,
        state,
        measurements: { dnsSyncSeconds: elapsed },
      },
      context,
    );
  },

  /** Drill only: the drill alarm back to OK; done once a call reads it OK (the second look). */
  revert(event, clients, context) {
    const pair = pairOf(event);
    let alarm: MetricAlarm | undefined;
    return revertDrillSwitch(
      event,
      context,
      pair
        ? {
            label: alarmLabel(pair.alarm),
            rest: 'OK',
            async atRest() {
              alarm = await readAlarm(event, clients, pair);
              return alarm.StateValue === 'OK';
            },
            async restore() {
              await publish(event, clients, pair, 0, context.now());
              return {
                detail: `published 0 to ${pair.alarm.namespace}/${pair.alarm.metricName}; the next call reads ${alarmLabel(pair.alarm)} back`,
                change: publishChange(pair, 0, alarm as MetricAlarm),
              };
            },
          }
        : undefined,
    );
  },
};
