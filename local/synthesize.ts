// Synthesizes the runbook stack for a plan in-process, exactly as `cdk synth` does (same app code,
// same cdk.json feature flags), optionally without bundling the Lambda code.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/app.ts';
import type { RunbookStack } from '../infra/runbook-stack.ts';
import type { DrPlan } from '../plan/schema.ts';

const CDK_JSON = fileURLToPath(new URL('../cdk.json', import.meta.url));

/** The feature flags from cdk.json: a test App ignores them unless they are loaded. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> }).context;
}

export interface SynthesizeOptions {
  /** Plan file. @default the warm-standby example */
  readonly planFile?: string;
  /** An already loaded plan (e.g. with the ids an emulator chose); takes precedence over planFile. */
  readonly plan?: DrPlan;
  /** Bundle the Lambda code with esbuild (slow); tests and the local runner do not need it. @default false */
  readonly bundle?: boolean;
}

export interface SynthesizedRunbook {
  readonly app: App;
  readonly stack: RunbookStack;
  /** The CloudFormation template as JSON. */
  readonly template: CloudFormationTemplate;
}

export interface CloudFormationTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export async function synthesizeRunbook(options: SynthesizeOptions = {}): Promise<SynthesizedRunbook> {
  const outdir = mkdtempSync(join(tmpdir(), 'dr-runbook-synth-'));
  try {
    const app = new App({
      outdir,
      context: {
        ...cdkJsonContext(),
        ...(options.planFile ? { plan: options.planFile } : {}),
        // An empty list skips asset bundling for every stack.
        ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      },
    });
    const { stack } = await buildApp(app, options.plan);
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as CloudFormationTemplate;
    return { app, stack, template };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
