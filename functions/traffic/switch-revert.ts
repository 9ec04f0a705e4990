// The revert of a data-plane traffic type's drill switch (a drill routing control, a drill alarm):
// no state needed, and no single look trusted (docs/design.md, "Revert needs no state"). Done once
// a call reads the switch at rest; otherwise it is put back and the next call reads it again.
import type { Change, ProgressResult, ResourceEvent, StepContext } from '../shared/step-contract.ts';
import { progress } from './progress.ts';
import { requireMode } from './state.ts';

export interface DrillSwitch {
  /** How messages name the switch: "drill routing control arn:…", "alarm dr-runbook-orders-drill". */
  label: string;
  /** The state it has while no drill runs: "Off", "OK". */
  rest: string;
  /** Whether it is at rest now. */
  atRest(): Promise<boolean>;
  /** Puts it back at rest; what was changed. */
  restore(): Promise<{ detail: string; change: Change }>;
}

/** When the revert's polling is measured from: the start recorded in its state, else now. */
function revertSince(event: { state?: Record<string, unknown> }, context: StepContext): string {
  const recorded = event.state?.startedAt;
  return typeof recorded === 'string' ? recorded : context.now().toISOString();
}

/** `drillSwitch` undefined: the drill switched nothing (its type had no drill switch in the plan). */
export async function revertDrillSwitch(
  event: ResourceEvent<{ id: string }>,
  context: StepContext,
  drillSwitch: DrillSwitch | undefined,
): Promise<ProgressResult<{ startedAt: string }>> {
  requireMode(event, 'revert', ['drill'], 'it undoes drills only; a failover is undone by failing back');
  const state = { startedAt: revertSince(event, context) };
  const at = (done: boolean, detail: string, changes: Change[] = []) =>
    progress('revert', { done, detail, state, changes }, state.startedAt, context);
  if (!drillSwitch) return at(true, `${event.resource.id}: the drill switched nothing, nothing to revert`);
  if (await drillSwitch.atRest()) return at(true, `${drillSwitch.label} is ${drillSwitch.rest}`);
  const { detail, change } = await drillSwitch.restore();
  return at(false, detail, [change]);
}
