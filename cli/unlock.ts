// dr-runbook unlock --confirm PLAN_NAME: breaks the plan's lock (a held run or a failover's
// cooldown) when an operator knows better than the runbook. A failover never needs it (it takes
// over a dead run's lock and preempts drills on its own); this is for a cooldown to end early or a
// lock whose holder cannot be read. Prints what the lock held.
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { breakLock } from '../functions/lock/lock.ts';
import { DEPLOYED_OPTIONS, DEPLOYED_USAGE, runDeployedCommand, UsageError } from './deployed-runbook.ts';
import type { Output } from './main.ts';

export const UNLOCK_USAGE = `--confirm PLAN_NAME [--endpoint URL] ${DEPLOYED_USAGE}`;

function parse(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { ...DEPLOYED_OPTIONS, confirm: { type: 'string' }, endpoint: { type: 'string' } },
    allowPositionals: false,
    strict: true,
  });
  return values;
}

export function unlockCommand(args: string[], output: Output) {
  return runDeployedCommand(
    {
      name: 'unlock',
      usage: UNLOCK_USAGE,
      parse,
      async run(runbook, parsed, out) {
        if (parsed.confirm !== runbook.plan.name) {
          throw new UsageError(
            `breaking the lock lets another run start at once: confirm it with --confirm ${runbook.plan.name} (the plan's name)` +
              (parsed.confirm === undefined ? '' : `, got "${parsed.confirm}"`),
          );
        }
        // --endpoint: the local emulator a simulation ran against (its table is named by the plan).
        const local = parsed.endpoint !== undefined;
        if (local && !/^https?:\/\/[^/]+/.test(parsed.endpoint ?? '')) {
          throw new UsageError(
            `--endpoint must be a URL such as http://127.0.0.1:5000, got "${parsed.endpoint}"`,
          );
        }
        const tableName = local
          ? `dr-runbook-${runbook.plan.name}`
          : (await runbook.outputs()).HistoryTableName;
        const dynamo = local
          ? new DynamoDBClient({
              region: runbook.region,
              endpoint: parsed.endpoint,
              credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
            })
          : runbook.dynamo;
        const held = await runbook.call('dynamodb:DeleteItem', tableName, () =>
          breakLock(runbook.plan, { dynamo, tableName }),
        );
        if (!held) {
          out.out(`the lock of plan "${runbook.plan.name}" was free: nothing to break`);
          return 0;
        }
        const holder = held.runId
          ? `run ${held.runId} (${held.mode}, since ${held.acquiredAt})`
          : `the cooldown after failover ${held.cooldownRunId ?? '(unknown)'} until ${held.cooldownUntil}`;
        out.out(`broke the lock of plan "${runbook.plan.name}": it was held by ${holder}`);
        if (held.runId && held.mode === 'drill') {
          out.err(
            `If that drill is dead, undo what it left with: ${runbook.commandLine('revert', String(held.runId))}`,
          );
        }
        return 0;
      },
    },
    args,
    output,
  );
}
