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

/** Every alarm whose ALARM state starts a failover: the plan's, and the detector's if it has one. */
export function triggerAlarms(plan: DrPlan): { name: string; region: string }[] {
  return [
    ...plan.triggers.alarms.map((alarm) => ({
      name: alarm.name,
      region: alarm.region ?? plan.regions.recovery,
    })),
    ...(plan.triggers.detector ? [{ name: detectorAlarmName(plan), region: plan.regions.recovery }] : []),
  ];
}
