// The issue's done-when: "a test computes the largest state of an executed run for the biggest
// accepted plan". The biggest plan (biggest-plan.ts) runs a drill and a failover on the fake AWS;
// the largest state's input or output, or Lambda event or result, must stay well below the 256 KiB
// Step Functions allows (200 KiB: room for what a real AWS answers at more length than the fake).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_RECORDS_PER_RESOURCE } from '../../plan/resources/traffic.ts';
import { isRoute53Traffic } from '../../plan/resources/traffic-names.ts';
import { MAX_PLAN_BYTES, MAX_RESOURCES, MAX_TOTAL_RECORDS } from '../../plan/schema.ts';
import { resourcesOf } from '../../plan/steps.ts';
import { biggestPlan, biggestPlanEnvironment } from './biggest-plan.ts';
import { finalState } from './harness.ts';
import {
  describeLargest,
  largestStates,
  STEP_FUNCTIONS_STATE_LIMIT_BYTES,
  type StateSizes,
} from './state-size.ts';

describe('state-size', () => {
  const LIMIT_BYTES = 200 * 1024;
  const plan = biggestPlan();
  let sizes: StateSizes;

  beforeAll(async () => {
    sizes = await largestStates(plan, biggestPlanEnvironment(plan));
    process.stdout.write(
      `largest state of the biggest accepted plan:\n  drill ${describeLargest(sizes.drill)}\n  failover ${describeLargest(sizes.failover)}\n`,
    );
  }, 180_000);

  describe('the biggest accepted plan', () => {
    it('is at every cap the fake can serve: 16 resources, 40 records (10 per traffic resource), 48 KiB of JSON', () => {
      expect(plan.resources).toHaveLength(MAX_RESOURCES);
      const traffic = resourcesOf(plan, 'traffic').filter(isRoute53Traffic);
      expect(traffic.reduce((total, t) => total + t.records.length, 0)).toBe(MAX_TOTAL_RECORDS);
      expect(traffic.every((t) => t.records.length === MAX_RECORDS_PER_RESOURCE)).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(plan))).toBe(MAX_PLAN_BYTES);
      expect(plan.resources.every((r) => r.id.length === 24)).toBe(true);
    });
  });

  describe('the largest state of a run of the biggest accepted plan', () => {
    it.each(['drill', 'failover'] as const)('%s: every resource ran to done', (mode) => {
      const state = finalState(sizes.runs[mode]) as {
        results: Record<string, Record<string, { done: boolean }>>;
        revert?: Record<string, Record<string, { done: boolean }>>;
      };
      const done = (steps: Record<string, Record<string, { done: boolean }>> | undefined) =>
        Object.values(steps ?? {}).flatMap((step) => Object.values(step).filter((result) => result.done));
      expect(done(state.results)).toHaveLength(MAX_RESOURCES);
      if (mode === 'drill') expect(done(state.revert)).toHaveLength(MAX_RESOURCES);
    });

    it.each(['drill', 'failover'] as const)(
      '%s: is below 200 KiB (Step Functions fails a run past 256 KiB)',
      (mode) => {
        // the plan alone travels in the state, so anything smaller measured nothing
        expect(sizes[mode].bytes).toBeGreaterThan(MAX_PLAN_BYTES);
        // compared as text, so that a failure says where the largest state was and what it holds
        const verdict = sizes[mode].bytes < LIMIT_BYTES ? 'below 200 KiB' : describeLargest(sizes[mode]);
        expect(verdict).toBe('below 200 KiB');
        expect(LIMIT_BYTES).toBeLessThan(STEP_FUNCTIONS_STATE_LIMIT_BYTES);
      },
    );
  });
});
