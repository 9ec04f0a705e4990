// The plan as the Lambdas receive it: the one the runbook was built with (the state machine
// injects it; the execution input cannot replace it), validated with every default filled in at
// synth time. Checking its shape, not re-validating it, keeps the schemas out of every bundle.
import type { DrPlan } from './schema.ts';
import * as z from './zod.ts';

export const deployedPlan = z.custom<DrPlan>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { name?: unknown }).name === 'string' &&
    Array.isArray((v as { resources?: unknown }).resources),
  {
    error:
      'must be the deployed DR plan (an object with "name" and "resources"), as the state machine sends it',
  },
);
