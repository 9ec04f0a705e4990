// Every example plan synthesized as `cdk synth` does, CloudFormation validation on and the cdk-nag
// AwsSolutions plugin installed (infra/app.ts): what the validations found, for nag.part.ts. A
// canary stack with known findings shows that the findings are really read. The run's services
// (test/test-services.ts) do this once per run, in the process that has the CDK loaded already.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/app.ts';
import { cdkJsonContext } from '../../local/synthesize.ts';
import type { DrPlan } from '../../plan/schema.ts';
import { EXAMPLES, examplePlanFile } from './synth.ts';

/** One finding of a validation plugin, as the validation report lists it. */
export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly constructs: string[];
}

export interface Acknowledgement {
  readonly path: string;
  readonly rule: string;
  readonly reason: unknown;
}

/** What synthesizing one stack with every validation on found. */
export interface ExampleChecks {
  /** The synth error, if it failed (a plugin finding of severity error fails it). */
  readonly error?: string;
  /** Every finding in the validation report, of every plugin. */
  readonly findings: Finding[];
  /** Every rule acknowledged in the stack's construct metadata (Validations.acknowledge). */
  readonly acknowledgements: Acknowledgement[];
  /** Whether CloudFormation validation ran (process.env.CDK_VALIDATION was not "false"). */
  readonly cloudFormationValidation: boolean;
}

export interface ChecksFile {
  readonly examples: Record<string, ExampleChecks>;
  /** A stack with a plain topic (AwsSolutions-SNS2/SNS3) and a bucket with a bad property. */
  readonly canary: ExampleChecks;
}

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: {
      ruleName: string;
      severity: string;
      description: string;
      violatingConstructs: { constructPath: string }[];
    }[];
  }[];
}

function acknowledgementsUnder(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([rule, reason]) => ({
          path: construct.node.path,
          rule,
          reason,
        })),
      ),
  );
}

/** Synthesizes `app` into `outdir` and reads the validation report it leaves there. */
function synthesizeChecked(app: App, stack: Stack, outdir: string): ExampleChecks {
  let error: string | undefined;
  try {
    app.synth();
  } catch (caught) {
    error = (caught as Error).message;
  }
  let report: ValidationReport = { pluginReports: [] };
  try {
    report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  } catch (caught) {
    error ??= `no validation report: ${(caught as Error).message}`;
  }
  return {
    ...(error === undefined ? {} : { error }),
    findings: report.pluginReports.flatMap((plugin) =>
      plugin.violations.map((violation) => ({
        plugin: plugin.pluginName,
        rule: violation.ruleName,
        severity: violation.severity,
        description: violation.description,
        constructs: violation.violatingConstructs.map((c) => c.constructPath),
      })),
    ),
    acknowledgements: acknowledgementsUnder(stack),
    cloudFormationValidation: process.env.CDK_VALIDATION !== 'false',
  };
}

async function checkExample(example: string, outdir: string): Promise<ExampleChecks> {
  // The app exactly as `cdk synth -c plan=FILE` builds it, only without bundling the Lambda code.
  const app = new App({
    outdir,
    context: { ...cdkJsonContext(), plan: examplePlanFile(example), 'aws:cdk:bundling-stacks': [] },
  });
  try {
    const { stack } = await buildApp(app);
    return synthesizeChecked(app, stack, outdir);
  } catch (caught) {
    return {
      error: (caught as Error).message,
      findings: [],
      acknowledgements: [],
      cloudFormationValidation: false,
    };
  }
}

/** Any plan, built as `cdk synth` builds the app (only without bundling the Lambda code). */
async function checkPlan(plan: DrPlan, outdir: string): Promise<ExampleChecks> {
  const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const { stack } = await buildApp(app, plan);
  return synthesizeChecked(app, stack, outdir);
}

function checkCanary(outdir: string): ExampleChecks {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Canary');
  new Topic(stack, 'PlainTopic');
  new CfnResource(stack, 'BadBucket', {
    type: 'AWS::S3::Bucket',
    properties: { VersioningConfiguration: { Status: 'Sometimes' } },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return synthesizeChecked(app, stack, outdir);
}

/** Runs `check` in a fresh output folder with CloudFormation validation on, as in a plain `cdk synth`. */
async function withValidation(
  check: (outdir: string) => ExampleChecks | Promise<ExampleChecks>,
): Promise<ExampleChecks> {
  const outdir = mkdtempSync(join(tmpdir(), 'dr-runbook-checks-'));
  const validation = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  try {
    return await check(outdir);
  } finally {
    if (validation !== undefined) process.env.CDK_VALIDATION = validation;
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** One example checked with CloudFormation validation and cdk-nag on (CDK_VALIDATION unset while it synthesizes). */
export function checkOneExample(example: string): Promise<ExampleChecks> {
  return withValidation((outdir) => checkExample(example, outdir));
}

/** A plan that is no example (a feature no example uses), checked the same way. */
export function checkOnePlan(plan: DrPlan): Promise<ExampleChecks> {
  return withValidation((outdir) => checkPlan(plan, outdir));
}

/** The canary stack, checked the same way. */
export function checkCanaryStack(): Promise<ExampleChecks> {
  return withValidation(checkCanary);
}

/** Every example and the canary (the run's services check them one job each, test/test-services.ts). */
export async function checkExamples(): Promise<ChecksFile> {
  const examples: Record<string, ExampleChecks> = {};
  for (const example of EXAMPLES) examples[example] = await checkOneExample(example);
  return { examples, canary: await checkCanaryStack() };
}
