// dr-runbook revert RUN_ID: starts a cleanup run of the deployed runbook that undoes what a drill
// left behind (its temporary database, drill record, scaled group), finding it by run id. It
// refuses a run that is still running, keeps the compute a failover holding the lock needs, and
// reports what it could not remove by name. Prints the execution ARN; --watch follows it.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEPLOYED_OPTIONS, DEPLOYED_USAGE, runDeployedCommand, UsageError } from './deployed-runbook.ts';
import type { Output } from './main.ts';
import { startExecution } from './start-execution.ts';
import { parseIntervalSeconds, type WatchDependencies } from './watch.ts';

export const REVERT_USAGE = `RUN_ID [--reason TEXT] [--watch [--interval-seconds N]] ${DEPLOYED_USAGE}`;

const RUN_ID = /^[A-Za-z0-9-]{1,64}$/;

function parse(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: {
      ...DEPLOYED_OPTIONS,
      reason: { type: 'string' },
      watch: { type: 'boolean', default: false },
      'interval-seconds': { type: 'string', default: '5' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [runId, ...extra] = positionals;
  if (runId === undefined) throw new UsageError('name the run to revert: dr-runbook revert RUN_ID');
  if (extra.length > 0) throw new UsageError(`revert takes one RUN_ID, got ${positionals.length}`);
  if (!RUN_ID.test(runId)) {
    throw new UsageError(
      `RUN_ID must be 1-64 letters, digits or "-" (as "dr-runbook history" lists it), got "${runId}"`,
    );
  }
  if ((values.reason?.length ?? 0) > 1024) throw new UsageError('--reason must be at most 1024 characters');
  return { ...values, runId, intervalSeconds: parseIntervalSeconds(values['interval-seconds']) };
}

export function revertCommand(args: string[], output: Output, dependencies: WatchDependencies = {}) {
  return runDeployedCommand(
    {
      name: 'revert',
      usage: REVERT_USAGE,
      parse,
      async run(runbook, parsed, out) {
        const name = `${`revert-${parsed.runId}`.slice(0, 70)}-${randomBytes(2).toString('hex')}`;
        const input = {
          mode: 'revert',
          runId: parsed.runId,
          trigger: { type: 'console' },
          requestedBy: 'dr-runbook revert',
          ...(parsed.reason !== undefined ? { reason: parsed.reason } : {}),
        };
        return startExecution(
          runbook,
          { name, input, watch: parsed.watch, intervalSeconds: parsed.intervalSeconds },
          out,
          dependencies,
        );
      },
    },
    args,
    output,
  );
}
