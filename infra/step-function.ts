// One Lambda per step family, bundled locally by esbuild (no Docker) as an ESM module.
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export type StepFamily = 'database' | 'compute' | 'traffic' | 'runbook';

export interface StepFunctionProps {
  readonly family: StepFamily;
  readonly statements: PolicyStatement[];
  readonly logRetention: RetentionDays;
  readonly environment?: Record<string, string>;
  /** @default 60 seconds: steps only make a few API calls and never wait. */
  readonly timeout?: Duration;
}

/** Handler file of a family, relative to this file. */
export function handlerEntry(family: StepFamily): string {
  return fileURLToPath(new URL(`../functions/${family}/handler.ts`, import.meta.url));
}

export class StepFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: StepFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup = logGroup;
    this.function = new NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.family),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(60),
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: {
        DR_RUNBOOK_FAMILY: props.family,
        POWERTOOLS_SERVICE_NAME: 'dr-runbook',
        POWERTOOLS_METRICS_NAMESPACE: 'DrRunbook',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        platform: 'node',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // CommonJS dependencies inside an ESM bundle still call require().
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        forceDockerBundling: false,
        // The SDK v3 in the nodejs22.x runtime may lag; bundle ours so behaviour matches the tests.
        externalModules: [],
      },
    });
    for (const statement of props.statements) this.function.addToRolePolicy(statement);
  }
}
