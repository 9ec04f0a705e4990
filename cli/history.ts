// dr-runbook history [--limit N]: the plan's latest runs from the history table, newest first,
// with RTO and RPO achieved against their objectives. Also reads run records for `report`.

import { parseArgs } from 'node:util';
import { type AttributeValue, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Objective, RunReport } from '../functions/runbook/report-types.ts';
import {
  DEPLOYED_OPTIONS,
  DEPLOYED_USAGE,
  type DeployedRunbook,
  runDeployedCommand,
  UsageError,
} from './deployed-runbook.ts';
import type { Output } from './main.ts';

export const HISTORY_USAGE = `[--limit N] ${DEPLOYED_USAGE}`;

/** One history table item: its sort key (`<startedAt>#<runId>`) and the run record, when it parses. */
export interface RunItem {
  sk: string;
  mode?: string;
  outcome?: string;
  report?: RunReport;
}

function toRunItem(item: Record<string, AttributeValue>): RunItem {
  let report: RunReport | undefined;
  try {
    report = item.record?.S ? (JSON.parse(item.record.S) as RunReport) : undefined;
  } catch {
    report = undefined;
  }
  return {
    sk: item.sk?.S ?? '',
    ...(item.mode?.S ? { mode: item.mode.S } : {}),
    ...(item.outcome?.S ? { outcome: item.outcome.S } : {}),
    ...(report ? { report } : {}),
  };
}

/** The plan's run records, newest first, page by page (stops when the caller does). */
export async function* runItems(runbook: DeployedRunbook, pageSize?: number): AsyncGenerator<RunItem> {
  const { HistoryTableName } = await runbook.outputs();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await runbook.call('dynamodb:Query', HistoryTableName, () =>
      runbook.dynamo.send(
        new QueryCommand({
          TableName: HistoryTableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: `RUN#${runbook.plan.name}` } },
          ScanIndexForward: false,
          ...(pageSize ? { Limit: pageSize } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      ),
    );
    for (const item of page.Items ?? []) yield toRunItem(item);
    start = page.LastEvaluatedKey;
  } while (start);
}

const objective = (o: Objective | undefined) =>
  o === undefined
    ? '—'
    : `${o.achievedSeconds === null ? '—' : Math.round(o.achievedSeconds)} / ${o.objectiveSeconds} s${
        o.met === null ? '' : o.met ? ' ✓' : ' ✗'
      }`;

/** The table `history` prints: one row per run, columns aligned. */
export function historyTable(items: RunItem[]): string[] {
  const header = ['started', 'mode', 'outcome', 'RTO achieved/objective', 'RPO achieved/objective', 'run id'];
  const rows = items.map((item) => {
    const [startedAt = '', ...rest] = item.sk.split('#');
    const r = item.report;
    return [
      (r?.startedAt ?? startedAt).replace(/\.\d+Z$/, 'Z'),
      r?.mode ?? item.mode ?? '?',
      r?.outcome ?? item.outcome ?? '?',
      objective(r?.rto),
      objective(r?.rpo),
      r?.runId ?? rest.join('#'),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function parse(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { ...DEPLOYED_OPTIONS, limit: { type: 'string', default: '10' } },
    allowPositionals: false,
    strict: true,
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UsageError(`--limit must be a whole number from 1 to 1000, got "${values.limit}"`);
  }
  return { ...values, limit };
}

export function historyCommand(args: string[], output: Output) {
  return runDeployedCommand(
    {
      name: 'history',
      usage: HISTORY_USAGE,
      parse,
      async run(runbook, { limit }, out) {
        const items: RunItem[] = [];
        for await (const item of runItems(runbook, limit)) {
          items.push(item);
          if (items.length >= limit) break;
        }
        if (items.length === 0) {
          const { HistoryTableName } = await runbook.outputs();
          out.out(
            `No runs of "${runbook.plan.name}" recorded in ${HistoryTableName} yet: ` +
              `try ${runbook.commandLine('start', '--mode', 'dry-run')}`,
          );
          return 0;
        }
        for (const line of historyTable(items)) out.out(line);
        return 0;
      },
    },
    args,
    output,
  );
}
