// dr-runbook start --mode …: starts a run of the deployed runbook, as a person at a console would.
// The input is checked here with the runbook's own rules first, so an unconfirmed failover never
// reaches AWS. Prints the execution ARN (stdout, for scripts); --watch then follows the run.
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { InvalidInputError, validateExecutionInput } from '../functions/runbook/execution-input.ts';
import { MODES, type Mode } from '../functions/shared/step-contract.ts';
import type { DrPlan } from '../plan/schema.ts';
import { DEPLOYED_OPTIONS, DEPLOYED_USAGE, runDeployedCommand, UsageError } from './deployed-runbook.ts';
import type { Output } from './main.ts';
import { startExecution } from './start-execution.ts';
import { parseIntervalSeconds, type WatchDependencies } from './watch.ts';

export const START_USAGE =
  `--mode dry-run|drill|failover|switchover [--confirm PLAN_NAME] [--reason TEXT] [--requested-by WHO] ` +
  `[--watch [--interval-seconds N]] ${DEPLOYED_USAGE}`;

interface StartArguments {
  mode: Mode;
  confirm?: string;
  reason?: string;
  requestedBy?: string;
  watch: boolean;
  intervalSeconds: number;
}

function parse(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      ...DEPLOYED_OPTIONS,
      mode: { type: 'string' },
      confirm: { type: 'string' },
      reason: { type: 'string' },
      'requested-by': { type: 'string' },
      watch: { type: 'boolean', default: false },
      'interval-seconds': { type: 'string', default: '5' },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.mode === undefined) throw new UsageError(`name the mode: --mode ${MODES.join('|')}`);
  if (!MODES.includes(values.mode as Mode)) {
    throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got "${values.mode}"`);
  }
  for (const [option, max] of [
    ['reason', 1024],
    ['requested-by', 256],
  ] as const) {
    const length = values[option]?.length ?? 0;
    if (length > max) throw new UsageError(`--${option} must be at most ${max} characters, got ${length}`);
  }
  const { mode, confirm, reason, watch } = values;
  const requestedBy = values['requested-by'] ?? currentUser();
  return {
    ...values,
    mode: mode as Mode,
    watch,
    intervalSeconds: parseIntervalSeconds(values['interval-seconds']),
    ...(confirm !== undefined ? { confirm } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(requestedBy !== undefined ? { requestedBy } : {}),
  } satisfies StartArguments;
}

function currentUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

/** A readable, unique execution name; the run id is derived from it (e.g. drill-20261125T120000Z-3f9a). */
export function executionNameFor(mode: Mode, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+/, '').replace(/[-:]/g, '');
  return `${mode}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** The execution input, checked with the state machine's own rules (throws UsageError if it would be rejected). */
export function startInput(plan: DrPlan, args: StartArguments, name: string, now: Date) {
  if ((args.mode === 'failover' || args.mode === 'switchover') && args.confirm !== plan.name) {
    throw new UsageError(
      `a ${args.mode} moves production to ${plan.regions.recovery}: confirm it with --confirm ${plan.name} (the plan's name)` +
        (args.confirm === undefined ? '' : `, got "${args.confirm}"`),
    );
  }
  const input = {
    mode: args.mode,
    trigger: { type: 'console' as const },
    ...(args.reason !== undefined ? { reason: args.reason } : {}),
    ...(args.requestedBy !== undefined ? { requestedBy: args.requestedBy } : {}),
    ...(args.confirm !== undefined ? { confirm: args.confirm } : {}),
  };
  try {
    const run = validateExecutionInput(input, plan, { name, startTime: now.toISOString() });
    return { input, run };
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(error.message);
    throw error;
  }
}

export function startCommand(args: string[], output: Output, dependencies: WatchDependencies = {}) {
  return runDeployedCommand(
    {
      name: 'start',
      usage: START_USAGE,
      parse,
      async run(runbook, parsed, out) {
        const now = new Date();
        const name = executionNameFor(parsed.mode, now);
        const { input, run } = startInput(runbook.plan, parsed, name, now);
        return startExecution(
          runbook,
          {
            name,
            input,
            watch: parsed.watch,
            intervalSeconds: parsed.intervalSeconds,
            ...(run.approvalRequired
              ? {
                  hint:
                    `This ${parsed.mode} waits for a person's approval: ${runbook.commandLine('approve', name)} ` +
                    `(or ${runbook.commandLine('deny', name)} --reason "…")`,
                }
              : {}),
          },
          out,
          dependencies,
        );
      },
    },
    args,
    output,
  );
}
