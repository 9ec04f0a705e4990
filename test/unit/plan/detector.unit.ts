// The detector's names and which alarms start a failover (plan/detector.ts), and the schema rule of
// triggers.detector.combineWithAlarms: a composite alarm watches alarms of its own region only.
import { describe, expect, it } from '@jest/globals';
import {
  combinedAlarms,
  compositeAlarmName,
  detectorAlarmName,
  triggerAlarms,
} from '../../../plan/detector.ts';
import { parsePlan } from '../../../plan/load.ts';
import { type DrPlan, planSchema } from '../../../plan/schema.ts';
import { examplePlanInput } from '../../fixtures.ts';

describe('detector', () => {
  const DETECTOR = { url: 'https://api-primary.us-east-1.payments.example.com/healthz' };

  /** The payments example (primary us-east-1, recovery us-west-2) with these triggers. */
  function withTriggers(triggers: Record<string, unknown>) {
    return { ...examplePlanInput('arc-routing-control'), triggers };
  }

  const parse = (triggers: Record<string, unknown>): DrPlan => planSchema.parse(withTriggers(triggers));

  function problems(triggers: Record<string, unknown>): string[] {
    const result = parsePlan(withTriggers(triggers));
    return result.ok ? [] : result.problems;
  }

  describe('triggers.detector.combineWithAlarms', () => {
    it('is false unless the plan says so', () => {
      expect(parse({ detector: DETECTOR }).triggers.detector?.combineWithAlarms).toBe(false);
    });

    it('is rejected, naming the field and the fix, when no plan alarm is in the recovery region', () => {
      const inPrimaryOnly = {
        alarms: [{ name: 'payments-primary-health', region: 'us-east-1' }],
        detector: { ...DETECTOR, combineWithAlarms: true },
      };
      expect(problems(inPrimaryOnly)).toEqual([
        'triggers.detector.combineWithAlarms: is true, but none of triggers.alarms is in the recovery region us-west-2: a composite alarm can only watch alarms of its own region; add an alarm there to triggers.alarms (its "region" left out or "us-west-2"), or set triggers.detector.combineWithAlarms to false',
      ]);
      expect(problems({ detector: { ...DETECTOR, combineWithAlarms: true } })).toHaveLength(1);
    });

    it('is accepted with an alarm in the recovery region, by default or named', () => {
      for (const alarm of [{ name: 'payments-canary' }, { name: 'payments-canary', region: 'us-west-2' }]) {
        expect(problems({ alarms: [alarm], detector: { ...DETECTOR, combineWithAlarms: true } })).toEqual([]);
      }
      // Without combining, a detector needs no plan alarm at all.
      expect(problems({ detector: DETECTOR })).toEqual([]);
    });
  });

  describe('triggerAlarms', () => {
    const alarms = [
      { name: 'payments-primary-health', region: 'us-east-1' },
      { name: 'payments-canary' },
      { name: 'payments-errors', region: 'us-west-2' },
    ];

    it('lists every plan alarm in its region and the detector alarm when the detector stands alone', () => {
      const plan = parse({ alarms, detector: DETECTOR });

      expect(combinedAlarms(plan)).toEqual([]);
      expect(triggerAlarms(plan)).toEqual([
        { name: 'payments-primary-health', region: 'us-east-1' },
        { name: 'payments-canary', region: 'us-west-2' },
        { name: 'payments-errors', region: 'us-west-2' },
        { name: 'dr-runbook-payments-primary-probe', region: 'us-west-2' },
      ]);
    });

    it('lists the composite instead of its parts when the detector combines with the recovery-region alarms', () => {
      const plan = parse({ alarms, detector: { ...DETECTOR, combineWithAlarms: true } });

      expect(combinedAlarms(plan).map((a) => a.name)).toEqual(['payments-canary', 'payments-errors']);
      // The primary-region alarm keeps its own (forwarded) rule; the parts start nothing alone.
      expect(triggerAlarms(plan)).toEqual([
        { name: 'payments-primary-health', region: 'us-east-1' },
        { name: 'dr-runbook-payments-primary-down', region: 'us-west-2' },
      ]);
      expect(compositeAlarmName(plan)).not.toBe(detectorAlarmName(plan));
    });

    it('lists only the plan alarms without a detector', () => {
      expect(triggerAlarms(parse({ alarms }))).toHaveLength(3);
    });
  });
});
