// dr-runbook approve|deny EXECUTION: answers the runbook's approval gate. The task token is read
// from the execution history (the WaitForApproval task's parameters), so nobody copies it from an
// email; the answer says who gave it.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { type HistoryEvent, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { CommandProblem } from './aws-error-message.ts';
import {
  DEPLOYED_OPTIONS,
  DEPLOYED_USAGE,
  executionNameOf,
  runDeployedCommand,
  UsageError,
} from './deployed-runbook.ts';
import { executionEnd, StateResolver } from './history-events.ts';
import type { Output } from './main.ts';

/** How every approval step's waiting state is named: "<step>.WaitForApproval" (state-machines/runbook-definition.ts). */
export const APPROVAL_STATE_SUFFIX = '.WaitForApproval';

export function isApprovalState(name: string | undefined): boolean {
  return name?.endsWith(APPROVAL_STATE_SUFFIX) ?? false;
}

export interface WaitingApproval {
  taskToken: string;
  /** The run being approved, as the gate's payload describes it. */
  run: { id?: string; mode?: string; reason?: string; requestedBy?: string };
  since?: Date;
}

const ANSWERED = /^Task(Succeeded|Failed|TimedOut|StartFailed|SubmitFailed|StateExited|StateAborted)$/;

/** The approval the execution is waiting for now, if any: the latest unanswered WaitForApproval task. */
export function waitingApproval(events: HistoryEvent[]): WaitingApproval | undefined {
  const resolver = new StateResolver();
  let waiting: WaitingApproval | undefined;
  for (const event of events) {
    resolver.add(event);
    if (executionEnd(event)) return undefined;
    if (!isApprovalState(resolver.stateOf(event)?.name)) continue;
    if (event.type === 'TaskScheduled') {
      const parameters = JSON.parse(event.taskScheduledEventDetails?.parameters ?? '{}') as {
        Payload?: { taskToken?: string; run?: WaitingApproval['run'] };
      };
      const taskToken = parameters.Payload?.taskToken;
      waiting = taskToken
        ? {
            taskToken,
            run: parameters.Payload?.run ?? {},
            ...(event.timestamp ? { since: event.timestamp } : {}),
          }
        : undefined;
    } else if (ANSWERED.test(event.type ?? '')) {
      waiting = undefined;
    }
  }
  return waiting;
}

function currentUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

type Answer = 'approve' | 'deny';

function parser(answer: Answer) {
  return (args: string[]) => {
    const { values, positionals } = parseArgs({
      args,
      options: {
        ...DEPLOYED_OPTIONS,
        by: { type: 'string' },
        ...(answer === 'deny' ? { reason: { type: 'string' } as const } : {}),
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) {
      throw new UsageError("name one execution: its ARN, or its name in the stack's state machine");
    }
    const reason = (values as { reason?: string }).reason;
    return { ...values, execution: positionals[0] as string, by: values.by ?? currentUser(), reason };
  };
}

function answerCommand(answer: Answer, args: string[], output: Output): Promise<number> {
  return runDeployedCommand(
    {
      name: answer,
      usage: `EXECUTION${answer === 'deny' ? ' [--reason TEXT]' : ''} [--by WHO] ${DEPLOYED_USAGE}`,
      parse: parser(answer),
      async run(runbook, parsed, out) {
        const executionArn = await runbook.executionArn(parsed.execution);
        const name = executionNameOf(executionArn);
        const waiting = waitingApproval(await runbook.history(executionArn));
        if (!waiting) {
          throw new CommandProblem(`execution ${name} is not waiting for an approval: nothing to ${answer}`);
        }
        const what = `the ${(waiting.run.mode ?? 'run').toUpperCase()} of "${runbook.plan.name}" (run ${waiting.run.id ?? name})`;
        if (answer === 'approve') {
          const output = JSON.stringify({ approved: true, approvedBy: parsed.by });
          await runbook.call('states:SendTaskSuccess', executionArn, () =>
            runbook.sfn.send(new SendTaskSuccessCommand({ taskToken: waiting.taskToken, output })),
          );
          out.out(
            `Approved ${what} as ${parsed.by}: the run goes on. Follow it with: ${runbook.commandLine('watch', name)}`,
          );
          return 0;
        }
        const cause = `${parsed.reason ?? 'no reason given'} (denied by ${parsed.by})`;
        await runbook.call('states:SendTaskFailure', executionArn, () =>
          runbook.sfn.send(
            new SendTaskFailureCommand({ taskToken: waiting.taskToken, error: 'ApprovalDenied', cause }),
          ),
        );
        out.out(`Denied ${what}: the run stops without changing anything (ApprovalDenied: ${cause})`);
        return 0;
      },
    },
    args,
    output,
  );
}

export const approveCommand = (args: string[], output: Output) => answerCommand('approve', args, output);
export const denyCommand = (args: string[], output: Output) => answerCommand('deny', args, output);
