// The runbook's Step Functions calls about its own executions (the lock asks whether a holder still
// runs and stops a preempted drill; the cleanup reads a dead run's input), answered from the local
// execution registry of the test (local/local-executions.ts), as the simulation's adapter does.
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandInput,
  StopExecutionCommand,
  type StopExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import type { LocalStepFunctions } from '../../local/emulator-adapters.ts';
import { describeExecutionOutput } from '../../local/local-executions.ts';
import type { Handler } from './fake-handler.ts';

const doesNotExist = (arn: string) =>
  Object.assign(new Error(`Execution Does Not Exist: '${arn}'`), {
    name: 'ExecutionDoesNotExist',
    $metadata: { httpStatusCode: 400 },
  });

export class FakeStepFunctions {
  /** The registry to answer from; without one every execution is unknown. */
  executions: LocalStepFunctions | undefined;

  handlers(): Handler[] {
    return [
      [DescribeExecutionCommand, (input: DescribeExecutionCommandInput) => this.describe(input)],
      [StopExecutionCommand, (input: StopExecutionCommandInput) => this.stop(input)],
    ];
  }

  private describe(input: DescribeExecutionCommandInput) {
    const arn = input.executionArn ?? '';
    const found = this.executions?.describe(arn);
    if (!found) throw doesNotExist(arn);
    return describeExecutionOutput(arn, found);
  }

  private stop(input: StopExecutionCommandInput) {
    this.executions?.stop(input.executionArn ?? '', input.cause);
    return { stopDate: new Date() };
  }
}
