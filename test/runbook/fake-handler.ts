// What every fake service module shares: a command handler is the SDK command class and a function
// from its input to its output (or an AWS-shaped error), over the module's own state.

/** An SDK command class, e.g. PromoteReadReplicaCommand. */
// biome-ignore lint/suspicious/noExplicitAny: commands of different clients have unrelated type parameters
export type CommandClass = new (input: any) => any;

/** `handle` takes the command's input type; `never` here lets each handler declare its own. */
export type Handler = readonly [CommandClass, (input: never) => unknown];

export const hoursAgo = (now: Date, hours: number) => new Date(now.getTime() - hours * 3_600_000);

/**
 * How long the fake control planes take, in seconds of `now`. Each one left out keeps the instant
 * behaviour: done when next looked at.
 */
export interface FakeTiming {
  /** The fake's clock. @default () => new Date() */
  readonly now?: () => Date;
  /** From PromoteReadReplica until the instance is "available" again. */
  readonly promotionSeconds?: number;
  /** From RestoreDBInstanceFromDBSnapshot until the new instance is "available". */
  readonly restoreSeconds?: number;
  /** From the launch of an instance (UpdateAutoScalingGroup) until it is InService. */
  readonly launchSeconds?: number;
  /** From ChangeResourceRecordSets until GetChange answers INSYNC. */
  readonly syncSeconds?: number;
}

/** When an operation started now completes under `timing` (ms since the epoch), or undefined: at once. */
export function readyAt(timing: FakeTiming, seconds: number | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  return fakeNow(timing).getTime() + seconds * 1000;
}

/** Whether an operation that completes at `at` (see readyAt) has completed. */
export function isReady(timing: FakeTiming, at: number | undefined): boolean {
  return at === undefined || fakeNow(timing).getTime() >= at;
}

export const fakeNow = (timing: FakeTiming): Date => timing.now?.() ?? new Date();
