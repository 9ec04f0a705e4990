// The Lambda bundles as deployed (infra/bundling) behave like the sources the other tests run:
// each is imported in a fresh Node process with only what Lambda gives a function (credentials in
// environment variables, no home directory, nothing to resolve outside the bundle) and answers the
// same events against moto as the TypeScript handler does in-process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { functionBuildOptions } from '../../infra/bundling/function-build.ts';
import type { StepFamily } from '../../infra/step-function.ts';
import { seedEnvironment } from '../../local/seed.ts';
import { examplePlan, lambdaContext, RUN_ID, RUN_STARTED_AT, stepEvent } from '../fixtures.ts';
import { useMoto } from './moto.ts';

const moto = useMoto();

/** Outside the project: a module the bundle left out (an unused credential provider) cannot load. */
const outdir = mkdtempSync(join(tmpdir(), 'dr-runbook-bundles-'));

/** Imports the bundle in a fresh process and calls its handler once; returns what it returned or threw. */
const INVOKE = `
const { handler } = await import(process.env.BUNDLE);
const context = { functionName: 'dr-runbook', awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 60000 };
try {
  process.stdout.write(JSON.stringify({ result: await handler(JSON.parse(process.env.EVENT), context) }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: { name: error.name, message: error.message } }));
}`;

async function invokeBundle(family: StepFamily, event: unknown, region: string): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', INVOKE], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SESSION_TOKEN: 'test',
      AWS_REGION: region,
      AWS_ENDPOINT_URL: moto.endpoint,
      DR_RUNBOOK_FAMILY: family,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      BUNDLE: pathToFileURL(join(outdir, family, 'index.mjs')).href,
      EVENT: JSON.stringify(event),
    },
  });
  return JSON.parse(stdout);
}

async function invokeSource(family: StepFamily, event: unknown): Promise<unknown> {
  const { handler } = (await import(`../../functions/${family}/handler.ts`)) as {
    handler: (event: unknown, context: unknown) => Promise<unknown>;
  };
  try {
    return { result: await handler(event, lambdaContext) };
  } catch (error) {
    const { name, message } = error as Error;
    return { error: { name, message } };
  }
}

/** A step result without the time it was produced at. */
function untimed(outcome: unknown): unknown {
  const { result } = outcome as { result?: Record<string, unknown> };
  if (!result) return outcome;
  const { evaluatedAt: _evaluatedAt, ...rest } = result;
  return { result: rest };
}

/** The bundles these tests invoke (the others are built by every cdk synth and by npm run bench). */
const INVOKED: readonly StepFamily[] = ['database', 'compute', 'traffic', 'runbook'];

describe('the deployed bundles', () => {
  // Built when this part starts, not when the file does (against-moto.test.ts runs the parts in turn).
  beforeAll(async () => {
    await Promise.all(INVOKED.map((family) => build(functionBuildOptions(family, join(outdir, family)))));
  }, 60_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it.each([
    ['database', 'db'],
    ['compute', 'web'],
    ['traffic', 'dns'],
  ] as const)(
    'the %s bundle judges readiness of %s exactly as its source does',
    async (family, resource) => {
      const { plan } = await seedEnvironment(examplePlan(), moto.endpoint);
      const event = stepEvent('readiness', { mode: 'drill', plan, resource });
      const bundled = await invokeBundle(family, event, plan.regions.recovery);
      expect(bundled).toMatchObject({ result: { family, checks: expect.any(Array) } });
      expect(untimed(bundled)).toEqual(untimed(await invokeSource(family, event)));
    },
    60_000,
  );

  it('the compute bundle writes a launch template version with the newest AMI (EC2 request serialization)', async () => {
    const { plan } = await seedEnvironment(examplePlan(), moto.endpoint);
    const started = (await invokeBundle(
      'compute',
      stepEvent('start', { mode: 'drill', plan, resource: 'web' }),
      plan.regions.recovery,
    )) as {
      result?: { state: { launchTemplateId: string; createdVersion: number; amiId: string } };
    };
    expect(started).toMatchObject({
      result: { done: false, state: { amiId: expect.stringMatching(/^ami-/) } },
    });
    const { launchTemplateId, createdVersion, amiId } = started.result?.state ?? ({} as never);
    const ec2 = new EC2Client({ region: plan.regions.recovery });
    const { LaunchTemplateVersions = [] } = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: launchTemplateId,
        Versions: [String(createdVersion)],
      }),
    );
    expect(LaunchTemplateVersions[0]?.LaunchTemplateData?.ImageId).toBe(amiId);
    expect(LaunchTemplateVersions[0]?.VersionDescription).toContain(RUN_ID);
  }, 60_000);

  it('the runbook bundle rejects a bad execution input with the same message as its source', async () => {
    const plan = examplePlan();
    const event = {
      action: 'validate-input',
      plan,
      input: { mode: 'dril' },
      execution: { name: 'bundle-test', startTime: RUN_STARTED_AT },
    };
    const bundled = await invokeBundle('runbook', event, plan.regions.recovery);
    expect(bundled).toMatchObject({ error: { message: expect.stringContaining('mode') } });
    expect(bundled).toEqual(await invokeSource('runbook', event));
  }, 30_000);
});
