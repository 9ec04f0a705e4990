// Starting a run of the deployed runbook, shared by `start` and `revert`: StartExecution, print its
// ARN (stdout, for scripts), then either say how to follow it or follow it (--watch).
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { DeployedRunbook } from './deployed-runbook.ts';
import type { Output } from './main.ts';
import { type WatchDependencies, watchExecution } from './watch.ts';

export interface StartedRun {
  readonly name: string;
  readonly input: object;
  readonly watch: boolean;
  readonly intervalSeconds: number;
  /** A line for the operator once the run is started (e.g. how to approve it). */
  readonly hint?: string;
}

export async function startExecution(
  runbook: DeployedRunbook,
  run: StartedRun,
  out: Output,
  dependencies: WatchDependencies,
): Promise<number> {
  const { StateMachineArn } = await runbook.outputs();
  const { executionArn } = await runbook.call('states:StartExecution', StateMachineArn, () =>
    runbook.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: StateMachineArn,
        name: run.name,
        input: JSON.stringify(run.input),
      }),
    ),
  );
  if (!executionArn) throw new Error(`StartExecution returned no execution ARN for ${run.name}`);
  out.out(executionArn);
  if (run.hint) out.err(run.hint);
  if (!run.watch) {
    out.err(`Follow it with: ${runbook.commandLine('watch', run.name)}`);
    return 0;
  }
  return watchExecution(runbook, executionArn, out, {
    ...dependencies,
    intervalSeconds: run.intervalSeconds,
  });
}
