// What a valid plan may still get wrong in an outage: warnings `validate` prints with the field
// to look at, never errors (the plan may know better, e.g. a second alarm elsewhere). Every run's
// report carries them too (functions/runbook/report.ts), from the plan the Lambda is sent.
import { isRoute53Traffic } from './resources/traffic-names.ts';
import type { DrPlan } from './schema.ts';

/** What the advisories read of a plan: as validated, or as the Lambdas receive it (plan/deployed-plan.ts). */
export type AdvisedPlan = Pick<DrPlan, 'regions' | 'triggers'> & { resources: readonly { type: string }[] };

export function planAdvisories(plan: AdvisedPlan): string[] {
  const advisories: string[] = [];
  const { primary, recovery } = plan.regions;
  plan.triggers.alarms.forEach((alarm, i) => {
    if ((alarm.region ?? recovery) !== primary) return;
    const elsewhere =
      plan.triggers.detector !== undefined ||
      plan.triggers.alarms.some((other) => (other.region ?? recovery) !== primary);
    advisories.push(
      `triggers.alarms[${i}]: "${alarm.name}" is in the primary region ${primary}: it cannot fire once that region is dark${elsewhere ? '' : '; add triggers.detector (a probe of the primary from the recovery region) or an alarm there, so that an outage starts the failover'}`,
    );
  });
  if (primary === 'us-east-1') {
    plan.resources.forEach((resource, i) => {
      if (!isRoute53Traffic(resource)) return;
      advisories.push(
        `resources[${i}]: ${resource.type} changes records through Route 53's API, served from us-east-1, the primary region: a failover cannot move traffic while it is down; arc-routing-control and route53-health-check-failover do not depend on it`,
      );
    });
  }
  return advisories;
}
