// The CDK app: `cdk synth -c plan=FILE` (default: the warm-standby example) deploys that plan's
// runbook into its recovery region.
import { fileURLToPath } from 'node:url';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_PLAN } from '../plan/default-plan.ts';
import { loadPlanOrThrow } from '../plan/load.ts';
import type { DrPlan } from '../plan/schema.ts';
import {
  AlarmForwarderStack,
  alarmForwarderStackName,
  forwardedAlarmRegions,
} from './alarm-forwarder-stack.ts';
import { RunbookStack } from './runbook-stack.ts';
import { stackNameFor } from './stack-outputs.ts';

/** Builds the app for the plan in context `plan` (a file), or for `planOverride` when given. */
export async function buildApp(
  app = new App(),
  planOverride?: DrPlan,
): Promise<{ app: App; stack: RunbookStack }> {
  const planFile = (app.node.tryGetContext('plan') as string | undefined) ?? DEFAULT_PLAN;
  const plan = planOverride ?? (await loadPlanOrThrow(planFile));
  const stack = new RunbookStack(app, stackNameFor(plan), {
    plan,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: plan.regions.recovery },
  });
  // Trigger alarms in another region: a stack there forwards their state changes to the runbook's.
  const forwarders = forwardedAlarmRegions(plan).map(
    (region) =>
      new AlarmForwarderStack(app, alarmForwarderStackName(plan, region), {
        plan,
        alarmRegion: region,
        env: { account: process.env.CDK_DEFAULT_ACCOUNT, region },
      }),
  );
  for (const each of [stack, ...forwarders])
    for (const [key, value] of Object.entries({ 'dr-runbook:plan': plan.name, ...plan.tags }))
      Tags.of(each).add(key, value);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { app } = await buildApp();
    app.synth();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
