// What the benchmark prints and keeps: the results, their headline figures (`name=value`, one a
// line, for scripts to grep) and the tables people read.
import type { BenchCase } from './cases.ts';
import type { ColdStart } from './cold-start.ts';

/** Step Functions Standard workflows bill state transitions: $0.025 per 1,000 (us-west-2). */
export const USD_PER_TRANSITION = 0.025 / 1000;

export interface CaseResult extends BenchCase {
  readonly lowerBoundSeconds: number;
  readonly runbook: {
    readonly rtoSeconds: number;
    readonly ratio: number;
    readonly transitions: number;
    readonly lambdaInvocations: number;
  };
  readonly baseline: { readonly rtoSeconds: number; readonly ratio: number };
}

export interface DrillResult {
  readonly transitions: number;
  readonly lambdaInvocations: number;
  readonly durationSeconds: number;
}

export interface BenchResults {
  readonly method: Record<string, string>;
  readonly cases: readonly CaseResult[];
  /** The failover whose cost is quoted as transitions_failover. */
  readonly referenceCase: string;
  readonly drill: DrillResult;
  readonly coldStarts: readonly ColdStart[];
  /** The largest execution state (any state's input or output, any Lambda event or result) of a
   * drill and a failover of the biggest plan the schema accepts, in KiB. */
  readonly maxStateKib?: number;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const max = (values: readonly number[]) => Math.max(...values);
export const kib = (bytes: number) => round(bytes / 1024, 1);

/** The headline figures, in print order. */
export function figures(results: BenchResults): Record<string, number> {
  const { cases, coldStarts, drill } = results;
  const reference = cases.find((c) => c.id === results.referenceCase);
  if (!reference) throw new Error(`reference case ${results.referenceCase} is not among the cases`);
  const out: Record<string, number> = {
    rto_overhead_ratio_max: round(max(cases.map((c) => c.runbook.ratio)), 4),
    baseline_rto_overhead_ratio_max: round(max(cases.map((c) => c.baseline.ratio)), 4),
    baseline_over_runbook_rto_min: round(
      Math.min(...cases.map((c) => c.baseline.rtoSeconds / c.runbook.rtoSeconds)),
      3,
    ),
    bundle_kb_max: max(coldStarts.map((c) => kib(c.bytes))),
    import_ms_max: round(max(coldStarts.map((c) => c.medianImportMs)), 1),
    transitions_failover: reference.runbook.transitions,
    transitions_drill: drill.transitions,
    usd_per_failover: round(reference.runbook.transitions * USD_PER_TRANSITION, 4),
    usd_per_drill: round(drill.transitions * USD_PER_TRANSITION, 4),
    ...(results.maxStateKib === undefined ? {} : { max_state_kib: round(results.maxStateKib, 1) }),
  };
  for (const c of cases) {
    out[`case.${c.id}.rto_seconds`] = round(c.runbook.rtoSeconds, 2);
    out[`case.${c.id}.rto_overhead_ratio`] = round(c.runbook.ratio, 4);
    out[`case.${c.id}.baseline_rto_overhead_ratio`] = round(c.baseline.ratio, 4);
    out[`case.${c.id}.transitions`] = c.runbook.transitions;
  }
  for (const c of coldStarts) {
    out[`bundle.${c.family}.kb`] = kib(c.bytes);
    out[`bundle.${c.family}.import_ms`] = round(c.medianImportMs, 1);
  }
  return out;
}

/** Left-aligned first column, right-aligned others. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** Everything printed: the method, the tables, then one `name=value` line per figure. */
export function render(results: BenchResults): string[] {
  const s = (n: number) => n.toFixed(1);
  const caseRows = results.cases.map((c) => [
    c.id,
    String(c.promotionSeconds),
    String(c.launchSeconds),
    String(c.syncSeconds),
    s(c.lowerBoundSeconds),
    s(c.runbook.rtoSeconds),
    c.runbook.ratio.toFixed(4),
    s(c.baseline.rtoSeconds),
    c.baseline.ratio.toFixed(4),
    String(c.runbook.transitions),
  ]);
  const coldRows = results.coldStarts.map((c) => [
    c.family,
    kib(c.bytes).toFixed(1),
    c.medianImportMs.toFixed(1),
  ]);
  return [
    ...Object.entries(results.method).map(([key, text]) => `${key}: ${text}`),
    '',
    'Failover of the warm-standby example, console-started (seconds; ratio = RTO / lower bound)',
    ...table(
      ['case', 'P', 'S', 'D', 'lower bound', 'runbook RTO', 'ratio', 'baseline RTO', 'ratio', 'transitions'],
      caseRows,
    ),
    '',
    `Drill: ${results.drill.transitions} state transitions, ${results.drill.lambdaInvocations} Lambda invocations, ${s(results.drill.durationSeconds)} s`,
    '',
    ...(results.maxStateKib === undefined
      ? []
      : [
          `Largest execution state of the biggest plan the schema accepts: ${s(results.maxStateKib)} KiB (Step Functions fails a run past 256 KiB)`,
          '',
        ]),
    'Lambda bundles as CDK builds them (KiB minified; median ms to import in a fresh Node process)',
    ...table(['function', 'KiB', 'import ms'], coldRows),
    '',
    ...Object.entries(figures(results)).map(([name, value]) => `${name}=${value}`),
  ];
}
