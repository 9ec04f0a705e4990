// dr-runbook report EXECUTION|RUN_ID: the run record from the history table as Markdown on stdout,
// and as HTML and/or Markdown files when asked (--html FILE, --md FILE).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runIdFromExecutionName } from '../functions/runbook/execution-input.ts';
import { renderHtml } from '../functions/runbook/render-html.ts';
import { renderMarkdown } from '../functions/runbook/render-markdown.ts';
import type { RunReport } from '../functions/runbook/report-types.ts';
import { CommandProblem } from './aws-error-message.ts';
import {
  DEPLOYED_OPTIONS,
  DEPLOYED_USAGE,
  type DeployedRunbook,
  executionNameOf,
  runDeployedCommand,
  UsageError,
} from './deployed-runbook.ts';
import { runItems } from './history.ts';
import type { Output } from './main.ts';

export const REPORT_USAGE = `EXECUTION|RUN_ID [--html FILE] [--md FILE] ${DEPLOYED_USAGE}`;

/** The run id of an execution ARN or name (its name, made resource-safe), or a run id as given. */
export function runIdOf(executionOrRunId: string): string {
  return runIdFromExecutionName(executionNameOf(executionOrRunId));
}

/** Finds the run's record (sort key `<startedAt>#<runId>`) among the plan's runs, newest first. */
export async function findRunReport(runbook: DeployedRunbook, runId: string): Promise<RunReport> {
  for await (const item of runItems(runbook)) {
    if (!item.sk.endsWith(`#${runId}`)) continue;
    if (item.report) return item.report;
    throw new CommandProblem(`the record of run ${runId} is not a valid run report: inspect item ${item.sk}`);
  }
  const { HistoryTableName } = await runbook.outputs();
  throw new CommandProblem(
    `no report for run ${runId} of "${runbook.plan.name}" in table ${HistoryTableName} ` +
      `(${runbook.region}): the run may still be going, or check the name (dr-runbook history lists runs)`,
  );
}

async function writeReport(file: string, body: string): Promise<void> {
  try {
    await writeFile(file, body);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CommandProblem(`cannot write ${file} (${code}): check the path and its directory`);
  }
}

function parse(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: { ...DEPLOYED_OPTIONS, html: { type: 'string' }, md: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      'name one run: an execution ARN or name, or a run id (dr-runbook history lists them)',
    );
  }
  for (const [option, file] of [
    ['--html', values.html],
    ['--md', values.md],
  ] as const) {
    if (file !== undefined && file.trim() === '') throw new UsageError(`${option} needs a file name`);
  }
  return { ...values, run: positionals[0] as string };
}

export function reportCommand(args: string[], output: Output) {
  return runDeployedCommand(
    {
      name: 'report',
      usage: REPORT_USAGE,
      parse,
      async run(runbook, parsed, out) {
        const report = await findRunReport(runbook, runIdOf(parsed.run));
        const markdown = renderMarkdown(report, report.timeline);
        out.out(markdown.trimEnd());
        if (parsed.md) {
          await writeReport(parsed.md, markdown);
          out.err(`Markdown report written to ${parsed.md}`);
        }
        if (parsed.html) {
          await writeReport(parsed.html, renderHtml(report, { timeline: report.timeline }));
          out.err(`HTML report written to ${parsed.html}`);
        }
        return 0;
      },
    },
    args,
    output,
  );
}
