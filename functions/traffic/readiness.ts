// Readiness (read-only: GetHostedZone and ListResourceRecordSets only). Every problem is a check,
// not an exception, so a dry-run reports them all; only TransientAwsError is thrown (Step
// Functions retries it).
import { GetHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53';
import type { TrafficPlan } from '../../plan/schema.ts';
import { DrRunbookError, ResourceNotFoundError, TransientAwsError } from '../shared/errors.ts';
import type { ReadinessCheck, ReadinessResult, StepEvent } from '../shared/step-contract.ts';
import type { TrafficClients } from './clients.ts';
import {
  cachedSeconds,
  describeAnswer,
  findRecordSet,
  normalizeName,
  recoveryRecordSet,
  sameAnswer,
} from './records.ts';
import { weightedSets } from './weighted.ts';
import {
  assertDrillNameIsNotProduction,
  route53Call,
  type UpsertRecord,
  type WeightedPlan,
  type WeightedRecord,
  zoneId,
  zoneResource,
} from './zone.ts';

interface Evaluated {
  check: ReadinessCheck;
  /** How long resolvers may keep serving the answer failover replaces. */
  cachedSeconds?: number;
}

/** Runs one check; a runbook error other than a transient one becomes a `fail` naming the resource. */
async function evaluate(name: string, fix: string, run: () => Promise<Evaluated>): Promise<Evaluated> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TransientAwsError || !(error instanceof DrRunbookError)) throw error;
    const detail = error instanceof ResourceNotFoundError ? `${error.message}: ${fix}` : error.message;
    return { check: { name, status: 'fail', detail } };
  }
}

const pass = (name: string, detail: string, cached?: number): Evaluated => ({
  check: { name, status: 'pass', detail },
  cachedSeconds: cached,
});
const warn = (name: string, detail: string, cached?: number): Evaluated => ({
  check: { name, status: 'warn', detail },
  cachedSeconds: cached,
});
const fail = (name: string, detail: string): Evaluated => ({ check: { name, status: 'fail', detail } });

function hostedZone(client: Route53Client, traffic: TrafficPlan): Promise<Evaluated> {
  return evaluate('hosted-zone', 'fix traffic.hostedZoneId in the plan', async () => {
    const response = await route53Call(traffic, 'read the hosted zone (route53:GetHostedZone)', () =>
      client.send(new GetHostedZoneCommand({ Id: zoneId(traffic) })),
    );
    const actual = normalizeName(response.HostedZone?.Name);
    if (actual !== traffic.hostedZoneName) {
      return fail(
        'hosted-zone',
        `hosted zone ${zoneId(traffic)} is "${actual}", but the plan's traffic.hostedZoneName is ` +
          `"${traffic.hostedZoneName}": fix traffic.hostedZoneId or traffic.hostedZoneName`,
      );
    }
    const visibility = response.HostedZone?.Config?.PrivateZone ? 'private' : 'public';
    return pass('hosted-zone', `${zoneResource(traffic)} exists (${visibility})`);
  });
}

function upsertRecord(client: Route53Client, traffic: TrafficPlan, record: UpsertRecord): Promise<Evaluated> {
  const name = `record:${record.name}`;
  const label = `${record.name} ${record.type}`;
  return evaluate(name, 'fix traffic.hostedZoneId in the plan', async () => {
    const desired = recoveryRecordSet(record);
    const current = await findRecordSet(client, traffic, record.name, record.type);
    if (!current) {
      return warn(name, `${label} does not exist; failover will create it`, cachedSeconds(desired));
    }
    const cached = Math.max(cachedSeconds(current), cachedSeconds(desired));
    if (current.SetIdentifier) {
      return fail(
        name,
        `${label} is a routing-policy record set (SetIdentifier "${current.SetIdentifier}"), which an UPSERT ` +
          'of a simple record cannot replace: use the weighted strategy, or make it a simple record',
      );
    }
    if (sameAnswer(current, desired)) {
      return warn(
        name,
        `${label} already points at the recovery target (${describeAnswer(current)})`,
        cached,
      );
    }
    return pass(
      name,
      `${label} answers ${describeAnswer(current)}; failover points it at ${describeAnswer(desired)}`,
      cached,
    );
  });
}

function weightedRecord(
  client: Route53Client,
  traffic: WeightedPlan,
  record: WeightedRecord,
): Promise<Evaluated> {
  const name = `record:${record.name}`;
  const label = `${record.name} ${record.type}`;
  return evaluate(name, 'create the weighted record set, or fix its SetIdentifier in the plan', async () => {
    const { primary, recovery } = await weightedSets(client, traffic, record);
    const cached = Math.max(cachedSeconds(primary), cachedSeconds(recovery));
    const unweighted = [primary, recovery].find((set) => set.Weight === undefined);
    if (unweighted) {
      return fail(
        name,
        `${label} SetIdentifier "${unweighted.SetIdentifier}" has no weight (another routing policy): ` +
          'the weighted strategy needs weighted record sets',
      );
    }
    const weights =
      `"${record.primarySetIdentifier}" weight ${primary.Weight}, ` +
      `"${record.recoverySetIdentifier}" weight ${recovery.Weight}`;
    if (primary.Weight === 0 && recovery.Weight === traffic.recoveryWeight) {
      return warn(name, `${label}: ${weights}: already sends all traffic to the recovery set`, cached);
    }
    return pass(name, `${label}: ${weights}; failover sets them to 0 and ${traffic.recoveryWeight}`, cached);
  });
}

function drillRecord(client: Route53Client, traffic: TrafficPlan): Promise<Evaluated> {
  const drill = traffic.drillRecordName;
  const type = traffic.records[0]?.type ?? 'CNAME';
  const label = `drill record ${drill} ${type}`;
  return evaluate('drill-record', 'fix traffic.hostedZoneId in the plan', async () => {
    assertDrillNameIsNotProduction(traffic);
    const current = await findRecordSet(client, traffic, drill, type);
    if (!current)
      return pass('drill-record', `${label} does not exist; a drill creates it and deletes it on revert`);
    if (current.SetIdentifier) {
      return fail(
        'drill-record',
        `${label} is a routing-policy record set (SetIdentifier "${current.SetIdentifier}") that no drill wrote: ` +
          'choose another traffic.drillRecordName',
      );
    }
    return warn(
      'drill-record',
      `${label} exists (${describeAnswer(current)}): left by an earlier drill; a drill overwrites and then deletes it`,
    );
  });
}

export async function trafficReadiness(event: StepEvent, clients: TrafficClients): Promise<ReadinessResult> {
  const traffic = event.plan.traffic;
  const client = clients.route53;
  const evaluated: Evaluated[] = [await hostedZone(client, traffic)];
  // In a missing or different zone the records say nothing about the plan's: the zone check says what to fix.
  if (evaluated[0]?.check.status !== 'fail') {
    // One call at a time: Route 53 allows five requests per second per account.
    for (const record of traffic.records) {
      evaluated.push(
        traffic.strategy === 'weighted'
          ? await weightedRecord(client, traffic, record as WeightedRecord)
          : await upsertRecord(client, traffic, record as UpsertRecord),
      );
    }
    evaluated.push(await drillRecord(client, traffic));
  }
  const fallbackTtl =
    traffic.strategy === 'upsert-records'
      ? Math.max(...traffic.records.map((r) => cachedSeconds(recoveryRecordSet(r))))
      : 0;
  const ttls = evaluated.flatMap((e) => (e.cachedSeconds === undefined ? [] : [e.cachedSeconds]));
  return {
    family: 'traffic',
    strategy: traffic.strategy,
    checks: evaluated.map((e) => e.check),
    // Resolvers keep serving the old answer until its TTL runs out after the change is INSYNC.
    predictedSeconds: traffic.expectedSyncSeconds + Math.max(fallbackTtl, ...ttls),
  };
}
