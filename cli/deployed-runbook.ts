// What the operator commands share: the common options (--plan, --stack, --region, --profile),
// SDK clients for the plan's recovery region, the stack outputs that locate the runbook, and the
// one place that turns argument and AWS errors into one line and an exit code.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, type HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { STACK_OUTPUTS, stackNameFor } from '../infra/stack-outputs.ts';
import { DEFAULT_PLAN } from '../plan/default-plan.ts';
import { loadPlanFile } from '../plan/load.ts';
import type { DrPlan } from '../plan/schema.ts';
import { AwsCallError, awsErrorMessage, CommandProblem, type ErrorContext } from './aws-error-message.ts';
import type { Output } from './main.ts';

/** parseArgs options every deployed-runbook command takes. */
export const DEPLOYED_OPTIONS = {
  plan: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
} as const;

export const DEPLOYED_USAGE = '[--plan FILE | --stack NAME] [--region REGION] [--profile PROFILE]';

export interface DeployedOptions {
  readonly plan?: string;
  readonly stack?: string;
  readonly region?: string;
  readonly profile?: string;
}

/** A bad argument: the command prints it with its usage line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type StackOutputs = Record<keyof typeof STACK_OUTPUTS, string>;

/** The runbook deployed for one plan: its stack, its region, its clients (created on first use). */
export class DeployedRunbook implements ErrorContext {
  readonly stackName: string;
  readonly region: string;
  readonly profile?: string;
  private clients: { sfn?: SFNClient; dynamo?: DynamoDBClient; cloudFormation?: CloudFormationClient } = {};
  private stackOutputs?: Promise<StackOutputs>;

  constructor(
    readonly plan: DrPlan,
    readonly planFile: string,
    readonly options: DeployedOptions = {},
  ) {
    this.stackName = options.stack ?? stackNameFor(plan);
    this.region = options.region ?? plan.regions.recovery;
    if (options.profile !== undefined) this.profile = options.profile;
  }

  /** The command line that runs another command against this same runbook (for hints). */
  commandLine(command: string, ...args: string[]): string {
    const quote = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`);
    const flags = (['plan', 'stack', 'region', 'profile'] as const).flatMap((key) => {
      const value = this.options[key];
      return value === undefined ? [] : [`--${key}`, quote(value)];
    });
    return ['dr-runbook', command, ...args.map(quote), ...flags].join(' ');
  }

  /** Configuration of every SDK client the command creates. */
  get clientConfig(): { region: string; profile?: string } {
    return { region: this.region, ...(this.profile !== undefined ? { profile: this.profile } : {}) };
  }

  get sfn(): SFNClient {
    this.clients.sfn ??= new SFNClient(this.clientConfig);
    return this.clients.sfn;
  }

  get dynamo(): DynamoDBClient {
    this.clients.dynamo ??= new DynamoDBClient(this.clientConfig);
    return this.clients.dynamo;
  }

  get cloudFormation(): CloudFormationClient {
    this.clients.cloudFormation ??= new CloudFormationClient(this.clientConfig);
    return this.clients.cloudFormation;
  }

  /** Runs one AWS call; a failure carries the IAM action and resource for the error line. */
  async call<T>(action: string, resource: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new AwsCallError(action, resource, error);
    }
  }

  /** The stack's outputs (one DescribeStacks call per command). */
  outputs(): Promise<StackOutputs> {
    this.stackOutputs ??= this.describeStack();
    return this.stackOutputs;
  }

  private async describeStack(): Promise<StackOutputs> {
    const { Stacks } = await this.call('cloudformation:DescribeStacks', this.stackName, () =>
      this.cloudFormation.send(new DescribeStacksCommand({ StackName: this.stackName })),
    );
    const stack = Stacks?.[0];
    const found = new Map((stack?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    const outputs: Partial<StackOutputs> = {};
    for (const key of Object.keys(STACK_OUTPUTS) as Array<keyof StackOutputs>) {
      const value = found.get(key);
      if (!value) {
        throw new CommandProblem(
          `stack ${this.stackName} (${stack?.StackStatus ?? 'no status'}) in ${this.region} has no output ${key}: ` +
            `redeploy it with npx cdk deploy --all -c plan=${this.planFile}`,
        );
      }
      outputs[key] = value;
    }
    return outputs as StackOutputs;
  }

  /** An execution ARN as given, or the ARN of the runbook's execution with this name. */
  async executionArn(executionOrName: string): Promise<string> {
    if (executionOrName.startsWith('arn:')) return executionOrName;
    const { StateMachineArn } = await this.outputs();
    return `${StateMachineArn.replace(':stateMachine:', ':execution:')}:${executionOrName}`;
  }

  /** The whole execution history, oldest first (every page). */
  async history(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('states:GetExecutionHistory', executionArn, () =>
        this.sfn.send(
          new GetExecutionHistoryCommand({ executionArn, reverseOrder: false, maxResults: 1000, nextToken }),
        ),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }
}

/** An execution's name: the last part of its ARN (the run id is derived from it). */
export function executionNameOf(executionOrArn: string): string {
  return executionOrArn.startsWith('arn:') ? (executionOrArn.split(':').pop() ?? '') : executionOrArn;
}

export interface DeployedCommand<P> {
  readonly name: string;
  readonly usage: string;
  /** Parses the arguments; throws UsageError (or parseArgs' own error) for a bad one. */
  parse(args: string[]): P & DeployedOptions;
  run(runbook: DeployedRunbook, parsed: P, output: Output): Promise<number>;
}

function isArgumentError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
}

/** Parses, loads the plan, runs; argument errors exit 2 with the usage line, AWS errors 1 in one line. */
export async function runDeployedCommand<P>(
  command: DeployedCommand<P>,
  args: string[],
  output: Output,
): Promise<number> {
  const usage = () => `usage: dr-runbook ${command.name} ${command.usage}`;
  if (args.includes('--help') || args.includes('-h')) {
    output.out(usage());
    return 0;
  }
  let parsed: P & DeployedOptions;
  try {
    parsed = command.parse(args);
  } catch (error) {
    if (!isArgumentError(error)) throw error;
    output.err(`dr-runbook ${command.name}: ${(error as Error).message}\n${usage()}`);
    return 2;
  }
  const planFile = parsed.plan ?? DEFAULT_PLAN;
  const loaded = await loadPlanFile(planFile);
  if (!loaded.ok) {
    output.err(`dr-runbook ${command.name}: ${planFile} is not a valid DR plan:`);
    for (const problem of loaded.problems) output.err(problem);
    return 1;
  }
  const { plan, stack, region, profile } = parsed;
  const runbook = new DeployedRunbook(loaded.plan, planFile, { plan, stack, region, profile });
  try {
    return await command.run(runbook, parsed, output);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`dr-runbook ${command.name}: ${error.message}\n${usage()}`);
      return 2;
    }
    output.err(awsErrorMessage(command.name, error, runbook));
    return 1;
  }
}
