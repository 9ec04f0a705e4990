// Shared by the infra tests: the example plans' templates, each synthesized once per test run by the
// run's template service (test/test-services.ts; without it, here), whose error is the test's.
import { readdirSync } from 'node:fs';
import { type CloudFormationTemplate, synthesizeTemplate } from '../../local/synthesize.ts';
import { type DrPlan, planSchema } from '../../plan/schema.ts';
import { examplePlanInput, examplesDir } from '../fixtures.ts';

/** A template the service has takes milliseconds; one synthesized in a test file takes seconds. */
export const SYNTH_TIMEOUT_MS = 30_000;

/** Every shipped example plan, by file name without ".json". */
export const EXAMPLES = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.replace(/\.json$/, ''))
  .sort();

export function examplePlanFile(example: string): string {
  return `${examplesDir}${example}.json`;
}

/** The template of an example plan's runbook stack (Lambda code not bundled). */
export function sharedTemplate(example: string): Promise<CloudFormationTemplate> {
  return synthesizeTemplate({ planFile: examplePlanFile(example) });
}

/** The template of any plan's runbook stack, shared the same way. */
export function sharedPlanTemplate(plan: DrPlan): Promise<CloudFormationTemplate> {
  return synthesizeTemplate({ plan });
}

/** Logical ids of the template's resources of one type. */
export function logicalIdsOf(template: CloudFormationTemplate, type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id);
}

/**
 * The payments example (primary us-east-1, recovery us-west-2) with a detector that combines with
 * the plan's two alarms in the recovery region (triggers.detector.combineWithAlarms), and one alarm
 * in the primary region, which keeps its own rule.
 */
export function combinedDetectorPlan(): DrPlan {
  return planSchema.parse({
    ...examplePlanInput('arc-routing-control'),
    triggers: {
      alarms: [
        { name: 'payments-primary-health', region: 'us-east-1' },
        { name: 'payments-canary' },
        { name: 'payments-errors', region: 'us-west-2' },
      ],
      detector: {
        url: 'https://api-primary.us-east-1.payments.example.com/healthz',
        combineWithAlarms: true,
      },
    },
  });
}
