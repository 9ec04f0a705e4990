// What no runbook can beat: database and compute recover side by side, traffic can only move once
// both are done, and the recovery still has to be verified.
import type { BenchCase } from './cases.ts';

/** Seconds of virtual time each kind of call takes in the benchmark (the latency model). */
export interface LatencyModel {
  /** One Lambda invocation by Step Functions, including the AWS calls the step makes. */
  readonly lambdaSeconds: number;
  /** One DynamoDB service integration call (the lock). */
  readonly dynamoSeconds: number;
}

/** Warm invocations in the recovery region: ~150 ms per Lambda step, ~30 ms per DynamoDB call. */
export const LATENCY: LatencyModel = { lambdaSeconds: 0.15, dynamoSeconds: 0.03 };

/** max(P, S) + D + verify: the RTO of a runbook that noticed every completion the instant it happened. */
export function lowerBoundSeconds(c: BenchCase, verifySeconds: number): number {
  return Math.max(c.promotionSeconds, c.launchSeconds) + c.syncSeconds + verifySeconds;
}

/** Achieved RTO over the lower bound: 1 is perfect, 1.05 means 5 % slower than possible. */
export function overheadRatio(achievedSeconds: number, lowerBound: number): number {
  if (!(lowerBound > 0)) throw new Error(`lower bound must be positive, got ${lowerBound}`);
  return achievedSeconds / lowerBound;
}
