// How a traffic type's readiness turns one read into a check: a runbook error other than a
// transient one becomes a failed check naming the resource (a dry-run reports every problem);
// a transient one is thrown, for Step Functions to retry.
import { DrRunbookError, ResourceNotFoundError, TransientAwsError } from '../shared/errors.ts';
import type { ReadinessCheck } from '../shared/step-contract.ts';

export interface Evaluated {
  check: ReadinessCheck;
  /** How long resolvers may keep serving the answer failover replaces. */
  cachedSeconds?: number;
}

/** Runs one check; a runbook error other than a transient one becomes a `fail` naming the resource. */
export async function evaluate(
  name: string,
  fix: string,
  run: () => Evaluated | Promise<Evaluated>,
): Promise<Evaluated> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TransientAwsError || !(error instanceof DrRunbookError)) throw error;
    const detail = error instanceof ResourceNotFoundError ? `${error.message}: ${fix}` : error.message;
    return { check: { name, status: 'fail', detail } };
  }
}

export const pass = (name: string, detail: string, cached?: number): Evaluated => ({
  check: { name, status: 'pass', detail },
  cachedSeconds: cached,
});
export const warn = (name: string, detail: string, cached?: number): Evaluated => ({
  check: { name, status: 'warn', detail },
  cachedSeconds: cached,
});
export const fail = (name: string, detail: string): Evaluated => ({
  check: { name, status: 'fail', detail },
});
