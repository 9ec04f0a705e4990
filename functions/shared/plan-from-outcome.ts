// Report and ReleaseLock are sent the whole execution state as `outcome`, which holds the plan; the
// plan is not sent a second time beside it (state stays small, docs/design.md). This puts it where
// the event schemas expect it.

/** The raw event with `plan` taken from `outcome.plan` when it has none of its own. */
export function withPlanFromOutcome(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || 'plan' in raw) return raw;
  const outcome = (raw as { outcome?: unknown }).outcome;
  if (typeof outcome !== 'object' || outcome === null || !('plan' in outcome)) return raw;
  return { ...raw, plan: (outcome as { plan: unknown }).plan };
}
