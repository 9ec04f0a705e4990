// The dr-runbook command: dispatches to one module per subcommand.
import { simulateCommand } from './simulate.ts';
import { validateCommand } from './validate.ts';

export const USAGE = `usage: dr-runbook <command> [options]

commands:
  validate FILE...   check DR plan files; print every problem as <json.path>: <problem and fix>
  simulate [options] run the runbook against a local AWS emulator (moto): live progress, then the
                     RTO/RPO report. Options: --plan FILE (default: the warm-standby example),
                     --mode drill|failover|dry-run (default drill), --scenario region-outage,
                     --report FILE.md|FILE.json, --endpoint URL --no-seed (use an existing emulator)
  help               show this help

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
        return await validateCommand(args, output);
      case 'simulate':
        return await simulateCommand(args, output);
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
