// dr-runbook watch EXECUTION: follows a deployed run until it ends, printing the same live progress
// as `simulate` (from the execution history, polled). Exit 0 when the run succeeded; otherwise 1,
// with the error and its cause.
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DescribeStateMachineForExecutionCommand } from '@aws-sdk/client-sfn';
import { describeCause } from '../functions/runbook/report.ts';
import type { AslDefinition } from '../local/extract-definition.ts';
import { progressPrinter } from '../local/progress.ts';
import {
  DEPLOYED_OPTIONS,
  DEPLOYED_USAGE,
  type DeployedRunbook,
  executionNameOf,
  runDeployedCommand,
  UsageError,
} from './deployed-runbook.ts';
import { errorOf, executionEnd, HistoryEventConverter } from './history-events.ts';
import type { Output } from './main.ts';

export interface WatchDependencies {
  /** Pauses between polls. @default a real timer */
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

export interface WatchOptions extends WatchDependencies {
  /** Seconds between two GetExecutionHistory polls. @default 5 */
  readonly intervalSeconds?: number;
}

export const WATCH_USAGE = `EXECUTION ${DEPLOYED_USAGE} [--interval-seconds N]`;

/** Parses --interval-seconds: a positive number of seconds. */
export function parseIntervalSeconds(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--interval-seconds must be a positive number of seconds, got "${text}"`);
  }
  return seconds;
}

/** Polls the execution's history until it ends, printing progress; returns the exit code. */
export async function watchExecution(
  runbook: DeployedRunbook,
  executionArn: string,
  output: Output,
  options: WatchOptions = {},
): Promise<number> {
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const intervalMs = (options.intervalSeconds ?? 5) * 1000;
  const name = executionNameOf(executionArn);
  const described = await runbook.call('states:DescribeStateMachineForExecution', executionArn, () =>
    runbook.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn })),
  );
  const definition = JSON.parse(described.definition ?? '{"StartAt":"","States":{}}') as AslDefinition;
  const converter = new HistoryEventConverter();
  let print: ReturnType<typeof progressPrinter> | undefined;
  let lastId = 0;
  for (;;) {
    const events = (await runbook.history(executionArn)).filter((e) => (e.id ?? 0) > lastId);
    for (const event of events) {
      lastId = Math.max(lastId, event.id ?? 0);
      const t = event.timestamp?.getTime() ?? Date.now();
      if (!print) {
        const input = event.executionStartedEventDetails?.input;
        const mode = String((input ? (JSON.parse(input) as { mode?: string }) : {}).mode ?? 'dry-run');
        output.out(
          `Watching a ${mode.toUpperCase()} of "${runbook.plan.name}" (execution ${name}, started ${new Date(t).toISOString()})`,
        );
        print = progressPrinter(definition, output.out, t);
      }
      for (const progress of converter.convert(event)) print(progress);
      const end = executionEnd(event);
      if (!end) continue;
      if (end === 'SUCCEEDED') {
        output.out(`Execution ${name} SUCCEEDED. Report: ${runbook.commandLine('report', name)}`);
        return 0;
      }
      const { error, cause } = errorOf(event);
      const described = cause ? describeCause(error, cause) : error;
      const why = described.startsWith(error) ? described : `${error}: ${described}`;
      output.err(`Execution ${name} ${end}: ${why}`);
      if (end === 'FAILED')
        output.err(`Report (if one was recorded): ${runbook.commandLine('report', name)}`);
      return 1;
    }
    await sleep(intervalMs);
  }
}

export function watchCommand(args: string[], output: Output, dependencies: WatchDependencies = {}) {
  return runDeployedCommand(
    {
      name: 'watch',
      usage: WATCH_USAGE,
      parse(argv) {
        const { values, positionals } = parseArgs({
          args: argv,
          options: { ...DEPLOYED_OPTIONS, 'interval-seconds': { type: 'string', default: '5' } },
          allowPositionals: true,
          strict: true,
        });
        if (positionals.length !== 1) {
          throw new UsageError("name one execution: its ARN, or its name in the stack's state machine");
        }
        const intervalSeconds = parseIntervalSeconds(values['interval-seconds']);
        return { ...values, execution: positionals[0] as string, intervalSeconds };
      },
      async run(runbook, parsed, out) {
        const executionArn = await runbook.executionArn(parsed.execution);
        return watchExecution(runbook, executionArn, out, {
          ...dependencies,
          intervalSeconds: parsed.intervalSeconds,
        });
      },
    },
    args,
    output,
  );
}
