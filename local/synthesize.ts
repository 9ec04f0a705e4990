// Synthesizes the runbook stack for a plan in-process, exactly as `cdk synth` does (same app code,
// same cdk.json feature flags), optionally without bundling the Lambda code. The CDK is loaded only
// when something is synthesized: a template read from the template cache loads none of it.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import type { RunbookStack } from '../infra/runbook-stack.ts';
import { DEFAULT_PLAN } from '../plan/default-plan.ts';
import { loadPlanOrThrow } from '../plan/load.ts';
import type { DrPlan } from '../plan/schema.ts';

const CDK_JSON = fileURLToPath(new URL('../cdk.json', import.meta.url));

/**
 * A directory of templates synthesized earlier in this run, one file per plan: while it is set,
 * `synthesizeTemplate` reads a plan's template from there (and adds the ones it synthesizes). The
 * test run's global setup (test/global-setup.ts) sets it and fills it with the example plans.
 */
export const TEMPLATE_CACHE_ENV = 'DR_RUNBOOK_TEMPLATE_CACHE';

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
  const [{ App }, { buildApp }] = await Promise.all([import('aws-cdk-lib'), import('../infra/app.ts')]);
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

/**
 * The template of a plan's runbook stack (Lambda code not bundled). With TEMPLATE_CACHE_ENV set, a
 * plan synthesized before in this run is read from the cache, and one that is not is synthesized
 * once and added to it; without it, this is `synthesizeRunbook(options).template`.
 */
export async function synthesizeTemplate(
  options: Omit<SynthesizeOptions, 'bundle'> = {},
): Promise<CloudFormationTemplate> {
  const cache = process.env[TEMPLATE_CACHE_ENV];
  if (!cache) return (await synthesizeRunbook(options)).template;
  const plan = options.plan ?? (await loadPlanOrThrow(options.planFile ?? DEFAULT_PLAN));
  const file = join(cache, `${templateCacheKey(plan)}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CloudFormationTemplate;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { template } = await synthesizeRunbook({ plan });
  // Written whole, then renamed: a reader in another process never sees half a template.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify(template));
  renameSync(partial, file);
  return template;
}

/** What the template depends on besides the code: the plan, and the account the stack is pinned to. */
function templateCacheKey(plan: DrPlan): string {
  const inputs = JSON.stringify({ plan, account: process.env.CDK_DEFAULT_ACCOUNT ?? null });
  return createHash('sha256').update(inputs).digest('hex').slice(0, 32);
}
