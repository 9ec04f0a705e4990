// Adaptive polling: a check says when to look again. The wait grows with the time already
// spent, so the delay a poll can add after an operation completes is a small, bounded share of
// that operation's duration, whether it finishes early or late against the plan's estimate.
// (A fixed sleep or a fixed coarse interval adds up to a whole interval to the RTO.)

/** Shortest wait between checks. */
export const MIN_POLL_SECONDS = 2;
/** Longest wait between checks. */
export const MAX_POLL_SECONDS = 30;
/** Share of the elapsed time waited before the next check: bounds the added delay to ~3%. */
export const POLL_FRACTION = 0.03;

/** Seconds to wait before checking again an operation started `elapsedSeconds` ago. */
export function nextCheckSeconds(elapsedSeconds: number): number {
  const wait = Math.max(0, elapsedSeconds) * POLL_FRACTION;
  return Math.round(Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, wait)));
}

/** Seconds between two ISO timestamps (or Dates), never negative. */
export function secondsBetween(from: string | Date, to: string | Date): number {
  return Math.max(0, (new Date(to).getTime() - new Date(from).getTime()) / 1000);
}
