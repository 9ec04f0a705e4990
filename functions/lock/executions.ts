// The runbook's own executions, as the lock and the cleanup see them: is a holder still running,
// stop one (preemption), what did a dead one run. In AWS this is Step Functions' API; in the local
// simulation the same calls are answered by the local execution registry (local/local-executions.ts),
// so "no longer running" means the same thing in both: the execution's status is not RUNNING.
import {
  DescribeExecutionCommand,
  type ExecutionStatus,
  type SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { awsCall, awsErrorName } from '../shared/aws-errors.ts';

export interface ExecutionInfo {
  arn: string;
  name: string;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string;
  /** The execution input as JSON text (absent if Step Functions did not return it). */
  input?: string;
}

export interface Executions {
  /** The execution, or undefined when Step Functions does not know it. */
  describe(executionArn: string): Promise<ExecutionInfo | undefined>;
  /** Stops a running execution; one that already ended is left as it is. */
  stop(executionArn: string, error: string, cause: string): Promise<void>;
}

const GONE = ['ExecutionDoesNotExist', 'InvalidArn'];

export function sfnExecutions(sfn: SFNClient): Executions {
  return {
    async describe(executionArn) {
      return awsCall({ resource: executionArn, operation: 'describe the execution' }, async () => {
        try {
          const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
          return {
            arn: executionArn,
            name: out.name ?? executionArn.split(':').pop() ?? '',
            status: out.status ?? 'RUNNING',
            startedAt: (out.startDate ?? new Date(0)).toISOString(),
            ...(out.stopDate ? { stoppedAt: out.stopDate.toISOString() } : {}),
            ...(out.input !== undefined ? { input: out.input } : {}),
          };
        } catch (error) {
          if (GONE.includes(awsErrorName(error) ?? '')) return undefined;
          throw error;
        }
      });
    },
    async stop(executionArn, error, cause) {
      await awsCall({ resource: executionArn, operation: 'stop the execution' }, async () => {
        try {
          await sfn.send(
            new StopExecutionCommand({
              executionArn,
              error: error.slice(0, 256),
              cause: cause.slice(0, 32768),
            }),
          );
        } catch (err) {
          if (GONE.includes(awsErrorName(err) ?? '')) return;
          throw err;
        }
      });
    },
  };
}
