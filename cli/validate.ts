// dr-runbook validate FILE...: exit 0 with a summary per valid plan (and what it may still get
// wrong in an outage, as warnings), 1 listing every problem.
import { parseArgs } from 'node:util';
import { planAdvisories } from '../plan/advisories.ts';
import { loadPlanFile } from '../plan/load.ts';
import type { DrPlan } from '../plan/schema.ts';
import { planSteps } from '../plan/steps.ts';
import type { Output } from './main.ts';

/** One line that says what the plan will do: regions, objectives, and its steps in order. */
export function summarizePlan(plan: DrPlan): string {
  const steps = planSteps(plan).map((step) =>
    step.kind === 'approval'
      ? `approval (${step.approval.when})`
      : step.resources.map((r) => `${r.id} ${r.type}`).join(' + '),
  );
  return [
    `plan "${plan.name}": ${plan.regions.primary} → ${plan.regions.recovery}`,
    `RTO ${plan.objectives.rtoMinutes} min, RPO ${plan.objectives.rpoSeconds} s`,
    `${plan.resources.length} resource${plan.resources.length === 1 ? '' : 's'} in ${steps.length} step${steps.length === 1 ? '' : 's'}: ${steps.join(' → ')}`,
  ].join('; ');
}

export async function validateCommand(args: string[], output: Output): Promise<number> {
  let files: string[];
  try {
    files = parseArgs({ args, allowPositionals: true, options: {} }).positionals;
  } catch (error) {
    output.err(`dr-runbook validate: ${(error as Error).message}: usage: dr-runbook validate FILE...`);
    return 2;
  }
  if (files.length === 0) {
    output.err('dr-runbook validate: name at least one plan file: usage: dr-runbook validate FILE...');
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const result = await loadPlanFile(file);
    if (result.ok) {
      output.out(`${file}: valid — ${summarizePlan(result.plan)}`);
      for (const advisory of planAdvisories(result.plan)) output.out(`  warning: ${advisory}`);
      continue;
    }
    failed += 1;
    if (result.reason === 'unreadable') {
      for (const problem of result.problems) output.out(problem);
      continue;
    }
    const count = result.problems.length;
    output.out(`${file}: invalid DR plan (${count} problem${count === 1 ? '' : 's'}):`);
    for (const problem of result.problems) output.out(problem);
  }
  return failed === 0 ? 0 : 1;
}
