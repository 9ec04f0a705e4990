// Verify: the recovery side answers before the run counts as recovered. The database and compute
// were already checked healthy by their families; this probes what users see.
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { drillNameOf, servedNames } from '../../plan/resources/traffic-names.ts';
import type { DrPlan } from '../../plan/schema.ts';
import { resourcesOf } from '../../plan/steps.ts';
import { awsCall } from '../shared/aws-errors.ts';
import { DrRunbookError } from '../shared/errors.ts';
import type { CheckStatus, ReadinessCheck, StepContext } from '../shared/step-contract.ts';
import type { RunMode } from './execution-input.ts';

export class RecoveryNotVerifiedError extends DrRunbookError {
  readonly retryable = false;
}

export interface VerifyResult {
  verifiedAt: string;
  checks: ReadinessCheck[];
}

/**
 * In a drill the probe goes to a drill record (production DNS was not switched): that of the
 * traffic resource serving the URL's host, else the first traffic resource's.
 */
export function probeUrl(plan: DrPlan, mode: RunMode): string | undefined {
  const http = plan.verification.http;
  if (!http) return undefined;
  const traffic = resourcesOf(plan, 'traffic');
  if (mode !== 'drill' || traffic.length === 0) return http.url;
  const url = new URL(http.url);
  const serving = traffic.find((t) => servedNames(t).includes(url.hostname)) ?? traffic[0];
  const drillName = serving && drillNameOf(serving);
  // A resource whose drill only runs readiness steers no drill name: production is probed, read-only.
  if (drillName) url.hostname = drillName;
  return url.toString();
}

async function probeHttp(
  plan: DrPlan,
  mode: RunMode,
  fetchImpl: typeof fetch,
): Promise<ReadinessCheck | undefined> {
  const http = plan.verification.http;
  const url = probeUrl(plan, mode);
  if (!http || !url) return undefined;
  try {
    const response = await fetchImpl(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(http.timeoutSeconds * 1000),
    });
    const ok = response.status === http.expectedStatus;
    return {
      name: 'http-probe',
      status: ok ? 'pass' : 'fail',
      detail: `GET ${url} answered ${response.status}${ok ? '' : `, expected ${http.expectedStatus}`}`,
    };
  } catch (error) {
    return { name: 'http-probe', status: 'fail', detail: `GET ${url} failed: ${(error as Error).message}` };
  }
}

async function checkAlarm(plan: DrPlan, cloudWatch: CloudWatchClient): Promise<ReadinessCheck | undefined> {
  const alarmName = plan.verification.alarmName;
  if (!alarmName) return undefined;
  const out = await awsCall({ resource: alarmName, operation: 'read the application alarm' }, () =>
    cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] })),
  );
  const state = out.MetricAlarms?.[0]?.StateValue ?? out.CompositeAlarms?.[0]?.StateValue;
  if (!state)
    return {
      name: 'app-alarm',
      status: 'fail',
      detail: `alarm ${alarmName} not found in ${plan.regions.recovery}`,
    };
  const status = alarmStatus(state, plan.verification.alarmInsufficientDataIsOk);
  return {
    name: 'app-alarm',
    status,
    detail:
      state === 'INSUFFICIENT_DATA' && status === 'fail'
        ? `alarm ${alarmName} is INSUFFICIENT_DATA: it shows nothing about the recovery; set verification.alarmInsufficientDataIsOk to true if its metric only gets data once users arrive`
        : `alarm ${alarmName} is ${state}`,
  };
}

/** OK passes; INSUFFICIENT_DATA only where the plan says it may; ALARM (or anything else) fails. */
function alarmStatus(state: string, insufficientDataIsOk: boolean): CheckStatus {
  if (state === 'OK') return 'pass';
  if (state === 'INSUFFICIENT_DATA') return insufficientDataIsOk ? 'warn' : 'fail';
  return 'fail';
}

/** A Verify that checked nothing never passes: a plan must configure at least one check. */
export async function verifyRecovery(
  plan: DrPlan,
  mode: RunMode,
  clients: { cloudWatch: CloudWatchClient; fetch: typeof fetch },
  context: StepContext,
): Promise<VerifyResult> {
  const checks = (
    await Promise.all([probeHttp(plan, mode, clients.fetch), checkAlarm(plan, clients.cloudWatch)])
  ).filter((c): c is ReadinessCheck => c !== undefined);
  if (checks.length === 0) {
    throw new RecoveryNotVerifiedError(
      'recovery not verified: the plan configures no verification: add verification.http (a URL to probe) or verification.alarmName (an application alarm in the recovery region)',
      'verification',
    );
  }
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length > 0) {
    throw new RecoveryNotVerifiedError(
      `recovery not verified: ${failed.map((c) => c.detail).join('; ')}`,
      failed.map((c) => c.name).join(','),
    );
  }
  return { verifiedAt: context.now().toISOString(), checks };
}
