// What a valid plan may still get wrong in an outage: warnings, each naming the field.
import { describe, expect, it } from '@jest/globals';
import { planAdvisories } from '../../../plan/advisories.ts';
import { planSchema } from '../../../plan/schema.ts';
import { examplePlan, examplePlanInput } from '../../fixtures.ts';

describe('advisories', () => {
  it('warns that a trigger alarm in the primary region cannot fire once it is dark, and asks for one in the recovery region', () => {
    const [alarm] = planAdvisories(examplePlan('warm-standby'));
    expect(alarm).toBe(
      'triggers.alarms[0]: "shop-primary-health" is in the primary region us-east-1: it cannot fire once that region is dark; add triggers.detector (a probe of the primary from the recovery region) or an alarm there, so that an outage starts the failover',
    );
  });

  it('does not ask for a recovery-region alarm when the plan has one already', () => {
    const advisories = planAdvisories(examplePlan('arc-routing-control'));
    expect(advisories).toEqual([
      'triggers.alarms[0]: "payments-primary-health" is in the primary region us-east-1: it cannot fire once that region is dark',
    ]);
  });

  it("warns that Route 53 record types depend on us-east-1's control plane when that is the primary region, and only then", () => {
    expect(planAdvisories(examplePlan('multi-tier'))).toContain(
      "resources[6]: route53-records changes records through Route 53's API, served from us-east-1, the primary region: a failover cannot move traffic while it is down; arc-routing-control and route53-health-check-failover do not depend on it",
    );
    const input = examplePlanInput('warm-standby');
    input.regions = { primary: 'us-east-2', recovery: 'us-west-2' };
    input.triggers = { alarms: [{ name: 'shop-probe', region: 'us-west-2' }] };
    expect(planAdvisories(planSchema.parse(input))).toEqual([]);
  });
});
