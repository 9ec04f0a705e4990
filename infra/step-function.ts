// One Lambda per step family, its handler bundled locally by esbuild as an ES module (infra/bundling).
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { STEP_TIMEOUT_SECONDS } from '../functions/shared/step-contract.ts';
import { functionCode } from './bundling/function-code.ts';

/** One Lambda each: the resource families (deployed when the plan uses them), the runbook's own steps, and the lock. */
export const STEP_FAMILIES = ['database', 'compute', 'traffic', 'hook', 'runbook', 'lock'] as const;
export type StepFamily = (typeof STEP_FAMILIES)[number];

/** Lambdas that are not steps of the runbook: the recovery-region probe of the primary (infra/detector.ts). */
export type OtherFunction = 'detector';

export interface StepFunctionProps {
  readonly family: StepFamily | OtherFunction;
  readonly statements: PolicyStatement[];
  readonly logRetention: RetentionDays;
  readonly environment?: Record<string, string>;
  /** @default STEP_TIMEOUT_SECONDS (60): steps only make a few API calls and never wait. */
  readonly timeout?: Duration;
}

export class StepFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: StepFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup = logGroup;
    this.function = new LambdaFunction(this, 'Function', {
      code: functionCode(props.family),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(STEP_TIMEOUT_SECONDS),
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: {
        DR_RUNBOOK_FAMILY: props.family,
        POWERTOOLS_SERVICE_NAME: 'dr-runbook',
        POWERTOOLS_METRICS_NAMESPACE: 'DrRunbook',
        // Stack traces name the TypeScript sources (the bundle carries a source map).
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
    for (const statement of props.statements) this.function.addToRolePolicy(statement);
  }
}
