// Synthesizes the runbook stack for a plan in-process, exactly as `cdk synth` does (same app code,
// same cdk.json feature flags), optionally without bundling the Lambda code. The CDK is loaded only
// when something is synthesized here: a template the test run's services answer loads none of it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
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
 * The test run's template service (test/test-services.ts): while it is set, `synthesizeTemplate`
 * asks it for a plan's template, so that a test run synthesizes each plan once, in one process.
 */
export const SYNTH_SERVICE_ENV = 'DR_RUNBOOK_SYNTH_SERVICE';

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
 * The template of a plan's runbook stack (Lambda code not bundled): `synthesizeRunbook(options).template`,
 * or, with SYNTH_SERVICE_ENV set, the service's answer (the same synth, done once per run).
 */
export async function synthesizeTemplate(
  options: Omit<SynthesizeOptions, 'bundle'> = {},
): Promise<CloudFormationTemplate> {
  const service = process.env[SYNTH_SERVICE_ENV];
  if (!service) return (await synthesizeRunbook(options)).template;
  const plan = options.plan ?? (await loadPlanOrThrow(options.planFile ?? DEFAULT_PLAN));
  const { status, text } = await post(`${service}/template`, {
    plan,
    account: process.env.CDK_DEFAULT_ACCOUNT ?? null,
  });
  if (status !== 200) throw new Error(text);
  return JSON.parse(text) as CloudFormationTemplate;
}

/** POSTs JSON with node:http, not fetch: a test or the simulation may have replaced fetch. */
function post(url: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // A connection of its own (agent: false): a kept-alive socket the service closed while it was
    // idle would fail this request with ECONNRESET (requests may be seconds apart, e.g. while it checks).
    const request = httpRequest(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json' },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.end(JSON.stringify(body));
  });
}
