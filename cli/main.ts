// The dr-runbook command: dispatches to one module per subcommand, loaded only when it runs (so
// `validate` starts without the CDK, the emulator and the SDK clients the other commands need).

export const USAGE = `usage: dr-runbook <command> [options]

commands:
  validate FILE...   check DR plan files; print every problem as <json.path>: <problem and fix>
  simulate [options] run the runbook against a local AWS emulator (moto): live progress, then the
                     RTO/RPO report. Options: --plan FILE (default: the warm-standby example),
                     --mode drill|failover|switchover|dry-run (default drill), or --mode revert --run-id RUN_ID,
                     --scenario region-outage|route53-control-plane-outage|failover-during-drill|killed-run,
                     --report FILE.html|.md|.json, --endpoint URL --no-seed (use an existing emulator)
  help               show this help

commands for the deployed runbook (stack DrRunbook-<plan name>, in the plan's recovery region):
  start --mode dry-run|drill|failover|switchover [--confirm PLAN_NAME] [--reason TEXT] [--requested-by WHO] [--watch]
                     start a run; prints the execution ARN. A failover or a switchover needs --confirm <plan name>
  watch EXECUTION    follow a run (ARN or execution name) until it ends: live progress, exit 0 if it
                     succeeded. --interval-seconds N (default 5)
  report EXECUTION|RUN_ID [--html FILE] [--md FILE]
                     the run's RTO/RPO report from the history table, as Markdown (and files)
  history [--limit N]
                     the latest runs (default 10), newest first: mode, outcome, RTO and RPO
  approve EXECUTION [--by WHO]
  deny EXECUTION [--reason TEXT] [--by WHO]
                     answer a run waiting at its approval gate
  unlock --confirm PLAN_NAME
                     break the plan's lock (a held run, or the cooldown after a failover); prints
                     what it held. A failover never needs this: it preempts drills and dead runs
  revert RUN_ID [--watch]
                     start a cleanup run that undoes what a drill left behind (found by run id);
                     a run still running is refused
  Each takes -h/--help, --plan FILE (default: the warm-standby example) or --stack NAME, --region REGION
  (default: the plan's recovery region), --profile PROFILE (an AWS profile).

exit codes: 0 success, 1 the command ran and found a problem, 2 bad arguments`;

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs the command line and returns the exit code; never throws. */
export async function main(argv: string[], output: Output = consoleOutput): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'validate':
        return await (await import('./validate.ts')).validateCommand(args, output);
      case 'simulate':
        return await (await import('./simulate.ts')).simulateCommand(args, output);
      case 'start':
        return await (await import('./start.ts')).startCommand(args, output);
      case 'watch':
        return await (await import('./watch.ts')).watchCommand(args, output);
      case 'report':
        return await (await import('./report.ts')).reportCommand(args, output);
      case 'history':
        return await (await import('./history.ts')).historyCommand(args, output);
      case 'approve':
        return await (await import('./approve.ts')).approveCommand(args, output);
      case 'deny':
        return await (await import('./approve.ts')).denyCommand(args, output);
      case 'unlock':
        return await (await import('./unlock.ts')).unlockCommand(args, output);
      case 'revert':
        return await (await import('./revert.ts')).revertCommand(args, output);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        output.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        output.err(`dr-runbook: unknown command "${command}": run "dr-runbook help" for the list`);
        return 2;
    }
  } catch (error) {
    // Anything unexpected is still one line, never a stack trace.
    output.err(`dr-runbook ${command}: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}
