// The application, as the runbook's HTTP probe sees it in a simulation: a name answers healthy only
// when the emulated Route 53 sends it to the recovery region (the recovery target of a plan
// record), or, for an arc-routing-control name, when its routing controls do (recovery On and
// primary Off; a drill name: its drill control On), as the health checks tied to them would; a
// route53-health-check-failover name when its pair's alarm is in ALARM (health-check-failover.ts).
// Until traffic has really moved, the probe sees the failed primary region: a timeout.
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { isRoute53Traffic, type Route53TrafficResource } from '../plan/resources/traffic-names.ts';
import type { DrPlan, ResourceOfType } from '../plan/schema.ts';
import { resourcesOf } from '../plan/steps.ts';
import { arcState } from './arc-cluster.ts';
import { failoverAnswer } from './health-check-failover.ts';

/** Every answer that means "served from the recovery region". */
function recoveryAnswers(plan: DrPlan, traffic: Route53TrafficResource, liveAnswers: string[]): Set<string> {
  if (traffic.type === 'route53-records') {
    return new Set(
      traffic.records.map((r) =>
        (r.recoveryTarget.value ?? r.recoveryTarget.alias?.dnsName ?? '').toLowerCase(),
      ),
    );
  }
  // Weighted: the recovery set's own value is the recovery answer.
  return new Set(liveAnswers.filter((a) => a.includes(plan.regions.recovery)));
}

const normalise = (s: string) => s.toLowerCase().replace(/\.$/, '');

/** Where an arc-routing-control name sends users now: the recovery region, or the (failed) primary. */
function arcAnswer(
  resource: ResourceOfType<'arc-routing-control'>,
  host: string,
): 'recovery' | 'primary' | undefined {
  if (host === resource.recordName) {
    const recovery = arcState(resource.recoveryRoutingControlArn) === 'On';
    return recovery && arcState(resource.primaryRoutingControlArn) !== 'On' ? 'recovery' : 'primary';
  }
  if (host === resource.drillRecordName && resource.drillRoutingControlArn) {
    return arcState(resource.drillRoutingControlArn) === 'On' ? 'recovery' : undefined;
  }
  return undefined;
}

/** A fetch that answers for the plan's names from the emulated DNS; anything else is unreachable. */
export function simulatedApplicationFetch(plan: DrPlan, endpoint: string): typeof fetch {
  const route53 = new Route53Client({ region: plan.regions.recovery, endpoint });
  const expected = plan.verification.http?.expectedStatus ?? 200;
  return (async (input: string | URL | Request) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const host = normalise(url.hostname);
    const served = (body: string) =>
      // 204, 205 and 304 carry no body.
      new Response([204, 205, 304].includes(expected) ? null : body, { status: expected });
    const failover = await failoverAnswer(plan, endpoint, host);
    if (failover !== undefined) {
      const secondary = resourcesOf(plan, 'traffic').some(
        (r) => r.type === 'route53-health-check-failover' && r.secondaryAnswer === failover,
      );
      if (secondary) return served(`served from ${plan.regions.recovery}`);
      throw new TypeError(
        `fetch failed: ${host} resolves to ${failover} in ${plan.regions.primary}, which is down`,
      );
    }
    for (const resource of resourcesOf(plan, 'traffic')) {
      if (resource.type !== 'arc-routing-control') continue;
      const answer = arcAnswer(resource, host);
      if (answer === 'recovery') return served(`served from ${plan.regions.recovery}`);
      if (answer === 'primary')
        throw new TypeError(`fetch failed: ${host} is served from ${plan.regions.primary}, which is down`);
    }
    // The traffic resource whose zone holds the name (its records or its drill record).
    const traffic = resourcesOf(plan, 'traffic')
      .filter(isRoute53Traffic)
      .find((t) => host === t.hostedZoneName || host.endsWith(`.${t.hostedZoneName}`));
    if (!traffic) throw new TypeError(`fetch failed: ${host} does not resolve`);
    const listed = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: traffic.hostedZoneId,
        StartRecordName: host,
        MaxItems: 10,
      }),
    );
    const sets = (listed.ResourceRecordSets ?? []).filter((s) => normalise(s.Name ?? '') === host);
    const answers = sets.flatMap((s) => {
      if (s.AliasTarget?.DNSName) return [normalise(s.AliasTarget.DNSName)];
      if (s.SetIdentifier !== undefined && (s.Weight ?? 0) === 0) return [];
      return (s.ResourceRecords ?? []).map((r) => normalise(r.Value ?? ''));
    });
    const recovery = recoveryAnswers(plan, traffic, answers);
    if (answers.length > 0 && answers.every((a) => recovery.has(a)))
      return served(`served from ${plan.regions.recovery}`);
    throw new TypeError(
      answers.length === 0
        ? `fetch failed: ${host} does not resolve`
        : `fetch failed: ${host} resolves to ${answers.join(', ')} in ${plan.regions.primary}, which is down`,
    );
  }) as typeof fetch;
}
