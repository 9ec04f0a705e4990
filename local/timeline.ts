// Turns execution events into a timeline of steps (what ran, when, how it ended): the same shape
// the report renders, whether the events come from a local run or an execution history.
import type { AslDefinition } from './extract-definition.ts';
import type { EventLog } from './run-local.ts';

export interface TimelineEntry {
  /** E.g. "Readiness", "Step1.data · orders-db", "Step3 · dns", "Verify". */
  step: string;
  start: number;
  end: number;
  outcome: 'succeeded' | 'failed' | 'running';
  /** Checks polled (start/check/revert calls) for loop steps. */
  calls: number;
}

/** Which top-level state (and resource, inside Parallel branches) each state belongs to. */
export function stepOfState(definition: AslDefinition): Map<string, string> {
  const owner = new Map<string, string>();
  for (const [name, state] of Object.entries(definition.States)) {
    owner.set(name, name);
    for (const branch of state.Branches ?? []) {
      for (const inner of Object.keys(branch.States)) {
        // Branch states carry their resource id: "web.Start", "web.RevertCheck" (runbook-definition.ts).
        const resource = /^([a-z][a-z0-9-]*)\./.exec(inner)?.[1];
        owner.set(inner, resource ? `${name} · ${resource}` : name);
      }
    }
  }
  return owner;
}

/** Steps worth a line: Tasks and Parallels (with their branches), not Choice/Pass/Wait plumbing. */
const SHOWN = new Set(['Task', 'Parallel', 'Fail']);

export function buildTimeline(definition: AslDefinition, events: EventLog[]): TimelineEntry[] {
  const owner = stepOfState(definition);
  const byStep = new Map<string, TimelineEntry>();
  /** Steps whose failure was caught: a settled branch (or a caught readiness) failed, whatever ran after. */
  const caught = new Set<string>();
  for (const event of events) {
    if (!('state' in event) || !event.state || !('name' in event.state)) continue;
    const { name, type } = event.state;
    const step = owner.get(name) ?? name;
    const isTask = type === 'Task';
    if (!SHOWN.has(type) && !step.includes(' · ')) continue;
    let entry = byStep.get(step);
    if (!entry) {
      entry = { step, start: event.timestamp, end: event.timestamp, outcome: 'running', calls: 0 };
      byStep.set(step, entry);
    }
    entry.end = Math.max(entry.end, event.timestamp);
    if (event.type === 'StateEntered' && isTask) entry.calls += 1;
    if (event.type === 'StateCaught') {
      caught.add(step);
      // A branch that failed fails its step too ("Step2 · dns" → "Step2"), though the settled
      // Parallel itself ends normally.
      const parent = step.split(' · ')[0] as string;
      caught.add(parent);
      const parentEntry = byStep.get(parent);
      if (parentEntry) parentEntry.outcome = 'failed';
    }
    if (caught.has(step)) {
      entry.outcome = 'failed';
      continue;
    }
    if (event.type === 'StateExited' && name === step) entry.outcome = 'succeeded';
    if (event.type === 'StateExited' && step.includes(' · ')) entry.outcome = 'succeeded';
    if (event.type === 'StateFailed' || (type === 'Fail' && event.type === 'StateEntered'))
      entry.outcome = 'failed';
  }
  return [...byStep.values()].sort((a, b) => a.start - b.start);
}
