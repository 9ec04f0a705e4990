// The common design, as the public sample frameworks schedule a failover: promote the database,
// sleep a fixed minute, poll it every 15 s until available; only then scale the compute and poll it
// every 15 s; then switch DNS and poll every 15 s; then verify. A small schedule simulator on the
// virtual clock, not a second state machine: each call goes to the same timed fake as the runbook.
import type { VirtualClock } from './virtual-clock.ts';

/** What the baseline does to the control planes; each call takes its own latency. */
export interface ControlPlane {
  promoteDatabase(): Promise<void>;
  databaseAvailable(): Promise<boolean>;
  scaleCompute(): Promise<void>;
  computeInService(): Promise<boolean>;
  switchDns(): Promise<void>;
  dnsInSync(): Promise<boolean>;
  verify(): Promise<void>;
}

export interface BaselineSchedule {
  /** Fixed interval between two polls. */
  readonly pollSeconds: number;
  /** Fixed sleep after the promotion call, before the first poll of the database. */
  readonly sleepAfterPromotionSeconds: number;
}

export const BASELINE_SCHEDULE: BaselineSchedule = { pollSeconds: 15, sleepAfterPromotionSeconds: 60 };

async function pollUntil(done: () => Promise<boolean>, clock: VirtualClock, pollSeconds: number) {
  while (!(await done())) await clock.sleep(pollSeconds);
}

/** Runs the baseline failover on `clock`; returns the seconds from its start until verified. */
export async function baselineFailover(
  controlPlane: ControlPlane,
  clock: VirtualClock,
  schedule: BaselineSchedule = BASELINE_SCHEDULE,
): Promise<number> {
  const start = clock.now();
  await controlPlane.promoteDatabase();
  await clock.sleep(schedule.sleepAfterPromotionSeconds);
  await pollUntil(() => controlPlane.databaseAvailable(), clock, schedule.pollSeconds);
  await controlPlane.scaleCompute();
  await pollUntil(() => controlPlane.computeInService(), clock, schedule.pollSeconds);
  await controlPlane.switchDns();
  await pollUntil(() => controlPlane.dnsInSync(), clock, schedule.pollSeconds);
  await controlPlane.verify();
  return (clock.now() - start) / 1000;
}
