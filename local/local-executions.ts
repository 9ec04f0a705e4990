// The local Step Functions: every execution of the runbook a simulation or a test starts, run with
// aws-local-stepfunctions side by side in this process. It answers what the runbook asks Step
// Functions about its own executions (DescribeExecution, StopExecution) exactly as AWS would, and it
// plays the execution-status rule (infra/triggers.ts): an execution that ends FAILED, ABORTED or
// TIMED_OUT starts a cleanup run with the same input EventBridge sends.
import { cleanupInput, EXECUTION_ENDED_STATUSES } from '../functions/lock/cleanup.ts';
import type { ExecutionInfo } from '../functions/lock/executions.ts';
import type { AslDefinition } from './extract-definition.ts';
import { type EventLog, type LocalRun, type LocalRunResult, startLocalRun } from './run-local.ts';
import type { JsonValue, LocalTaskHandler } from './task-handlers.ts';

/** DescribeExecution's answer for an execution of the registry (shared by its two SDK stand-ins). */
export function describeExecutionOutput(arn: string, found: ExecutionInfo) {
  return {
    executionArn: arn,
    name: found.name,
    status: found.status,
    startDate: new Date(found.startedAt),
    ...(found.stoppedAt ? { stopDate: new Date(found.stoppedAt) } : {}),
    input: found.input,
  };
}

export interface LocalExecutionsOptions {
  readonly definition: AslDefinition;
  /** $$.StateMachine.Id: executions are `<…:execution:name>` under it. */
  readonly stateMachineArn: string;
  /** The task handlers of one execution. */
  readonly taskHandlers: (executionName: string) => Record<string, LocalTaskHandler>;
  readonly waitMilliseconds?: number;
  readonly retryMilliseconds?: number;
  /** Every execution's events as they happen. */
  readonly onEvent?: (execution: LocalExecution, event: EventLog) => void;
  /** Called when an execution starts (the cleanup runs the status rule starts, too). */
  readonly onStart?: (execution: LocalExecution) => void;
  /** Plays the execution-status rule. @default true */
  readonly cleanUpEndedRuns?: boolean;
}

export interface LocalExecution {
  readonly arn: string;
  readonly name: string;
  readonly input: JsonValue;
  readonly startedAt: Date;
  status: LocalRunResult['status'] | 'RUNNING';
  stoppedAt?: Date;
  stopCause?: string;
  /** The execution-ended run that started this one as a cleanup, if any. */
  readonly cleanupOf?: string;
  readonly done: Promise<LocalRunResult>;
}

export class LocalExecutions {
  private readonly executions = new Map<string, LocalExecution & { run: LocalRun }>();
  private counter = 0;
  /** Cleanup runs started by the status rule; a runaway chain (a bug) stops at MAX_CLEANUPS. */
  static readonly MAX_CLEANUPS = 25;
  runaway = false;

  constructor(private readonly options: LocalExecutionsOptions) {}

  arnOf(name: string): string {
    return `${this.options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** Starts an execution (StartExecution). */
  start(name: string, input: JsonValue, cleanupOf?: string): LocalExecution {
    const arn = this.arnOf(name);
    if (this.executions.has(arn)) throw new Error(`ExecutionAlreadyExists: ${arn}`);
    let self: LocalExecution | undefined;
    const startedAt = new Date();
    const run = startLocalRun({
      startTime: startedAt,
      definition: this.options.definition,
      input,
      executionName: name,
      executionArn: arn,
      stateMachineArn: this.options.stateMachineArn,
      taskHandlers: this.options.taskHandlers(name),
      waitMilliseconds: this.options.waitMilliseconds,
      retryMilliseconds: this.options.retryMilliseconds,
      onEvent: (event) => {
        if (self) this.options.onEvent?.(self, event);
      },
    });
    const execution: LocalExecution & { run: LocalRun } = {
      arn,
      name,
      input,
      startedAt,
      status: 'RUNNING',
      ...(cleanupOf ? { cleanupOf } : {}),
      run,
      done: run.done.then((result) => {
        execution.status = result.status;
        execution.stoppedAt ??= new Date();
        this.ended(execution);
        return result;
      }),
    };
    self = execution;
    this.executions.set(arn, execution);
    this.options.onStart?.(execution);
    return execution;
  }

  /** DescribeExecution. */
  describe(arn: string): ExecutionInfo | undefined {
    const execution = this.executions.get(arn);
    if (!execution) return undefined;
    return {
      arn,
      name: execution.name,
      status: execution.status,
      startedAt: execution.startedAt.toISOString(),
      ...(execution.stoppedAt ? { stoppedAt: execution.stoppedAt.toISOString() } : {}),
      input: JSON.stringify(execution.input),
    };
  }

  /** StopExecution: the execution ends ABORTED; a Lambda it had invoked still finishes, as in AWS. */
  stop(arn: string, cause = 'stopped'): boolean {
    const execution = this.executions.get(arn);
    if (execution?.status !== 'RUNNING') return false;
    execution.stopCause = cause;
    execution.stoppedAt = new Date();
    execution.status = 'ABORTED';
    execution.run.abort();
    return true;
  }

  list(): LocalExecution[] {
    return [...this.executions.values()];
  }

  /** Resolves once every execution has ended, the cleanup runs they started included. */
  async settled(): Promise<void> {
    for (;;) {
      const running = this.list().filter((e) => e.status === 'RUNNING');
      if (running.length === 0) return;
      await Promise.allSettled(running.map((e) => e.done));
      // let the status rule start its cleanup runs before looking again
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private ended(execution: LocalExecution): void {
    if (this.options.cleanUpEndedRuns === false) return;
    if (!(EXECUTION_ENDED_STATUSES as readonly string[]).includes(execution.status)) return;
    if (this.counter >= LocalExecutions.MAX_CLEANUPS) {
      this.runaway = true;
      return;
    }
    this.counter += 1;
    this.start(
      `cleanup-${this.counter}-${execution.name}`.slice(0, 80),
      cleanupInput(execution.arn, execution.status) as unknown as JsonValue,
      execution.arn,
    );
  }
}
