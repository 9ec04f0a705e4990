// The run's timeline from what its steps returned (each stamps when it started and finished), so
// the report step builds it the same way in AWS and locally: one row per step that ran, in time
// since the incident started (the RTO clock).
import type { ProgressResult } from '../shared/step-contract.ts';
import type { RunRecord } from './execution-input.ts';
import { type RunOutcomeInput, resultsOf } from './report-types.ts';

/** A resource's row name: its id and type, e.g. "web (auto-scaling-group)". */
export function resourceLabel(result: Pick<ProgressResult, 'resource' | 'type' | 'family'>): string {
  return result.resource ? `${result.resource} (${result.type ?? result.family})` : result.family;
}

export interface TimelineRow {
  step: string;
  /** Milliseconds since the incident started (the RTO clock's zero). */
  startMs: number;
  endMs: number;
  outcome: 'succeeded' | 'failed' | 'running';
}

const at = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.NaN);

export function buildRunTimeline(run: RunRecord, outcome: RunOutcomeInput, now: Date): TimelineRow[] {
  const zero = at(run.incidentStartedAt);
  const rows: TimelineRow[] = [];
  const add = (step: string, start: number, end: number, result: TimelineRow['outcome'] = 'succeeded') => {
    if (Number.isFinite(start) && Number.isFinite(end)) {
      rows.push({ step, startMs: start - zero, endMs: Math.max(start, end) - zero, outcome: result });
    }
  };
  const started = at(run.startedAt);
  if (started > zero) add('Detection (alarm → runbook)', zero, started);

  const evaluated = (outcome.readiness ?? []).map((r) => at(r.evaluatedAt)).filter(Number.isFinite);
  if (evaluated.length > 0) add('Readiness', started, Math.max(...evaluated));

  const failedStep = outcome.failure?.step;
  const loop = (step: string, result: ProgressResult | undefined) => {
    if (!result) return;
    add(
      step,
      at(result.startedAt),
      result.completedAt ? at(result.completedAt) : now.getTime(),
      result.done ? 'succeeded' : 'running',
    );
  };
  const results = resultsOf(outcome.results);
  for (const result of results) loop(resourceLabel(result), result);
  const lastDone = Math.max(...results.map((r) => at(r.completedAt)).filter(Number.isFinite));
  if (outcome.verification) add('Verify', lastDone, at(outcome.verification.verifiedAt));
  for (const result of resultsOf(outcome.revert)) {
    if (result.startedAt) {
      add(
        `Revert ${result.resource ?? result.family}`,
        at(result.startedAt),
        at(result.completedAt ?? now.toISOString()),
      );
    }
  }
  if (failedStep) {
    const last = rows.reduce((max, row) => Math.max(max, row.endMs), started - zero);
    rows.push({
      step: failedStep,
      startMs: last,
      endMs: Math.max(last, now.getTime() - zero),
      outcome: 'failed',
    });
  }
  return rows.sort((a, b) => a.startMs - b.startMs);
}
