// The recovery-region detector's names, shared by the construct (infra/detector.ts), its Lambda
// (functions/detector/) and the execution input, which believes an alarm trigger only from one of
// these alarms.
import type { DrPlan } from './schema.ts';

/** The metric the probe writes (1 failed, 0 answered as expected), with dimension `plan`. */
export const DETECTOR_METRIC = { namespace: 'DrRunbook', name: 'PrimaryProbeFailed' } as const;

/** The metric's dimensions: Powertools adds `service` to the probe's own `plan`. */
export function detectorDimensions(plan: Pick<DrPlan, 'name'>): Record<string, string> {
  return { service: 'dr-runbook', plan: plan.name };
}

/** The detector's alarm, in the recovery region. */
export function detectorAlarmName(plan: Pick<DrPlan, 'name'>): string {
  return `dr-runbook-${plan.name}-primary-probe`;
}

/**
 * With `combineWithAlarms`, the composite alarm in the recovery region: ALARM when the detector's
 * alarm and at least one of the plan's alarms there are.
 */
export function compositeAlarmName(plan: Pick<DrPlan, 'name'>): string {
  return `dr-runbook-${plan.name}-primary-down`;
}

type TriggerPlan = Pick<DrPlan, 'name' | 'regions' | 'triggers'>;

/** The plan's alarms in the recovery region: what the composite alarm combines with the detector's. */
export function combinedAlarms(plan: TriggerPlan): DrPlan['triggers']['alarms'] {
  if (!plan.triggers.detector?.combineWithAlarms) return [];
  return plan.triggers.alarms.filter(
    (alarm) => (alarm.region ?? plan.regions.recovery) === plan.regions.recovery,
  );
}

/**
 * Every alarm whose ALARM state starts a failover: the plan's and, with a detector, its alarm; when
 * the detector combines with the plan's alarms, the composite alarm instead of its parts.
 */
export function triggerAlarms(plan: TriggerPlan): { name: string; region: string }[] {
  const { detector } = plan.triggers;
  const recovery = plan.regions.recovery;
  const combined = new Set(combinedAlarms(plan));
  return [
    ...plan.triggers.alarms
      .filter((alarm) => !combined.has(alarm))
      .map((alarm) => ({ name: alarm.name, region: alarm.region ?? recovery })),
    ...(detector
      ? [
          {
            name: detector.combineWithAlarms ? compositeAlarmName(plan) : detectorAlarmName(plan),
            region: recovery,
          },
        ]
      : []),
  ];
}
