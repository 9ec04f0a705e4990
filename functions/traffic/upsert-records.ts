// Failover for the upsert-records strategy: one atomic UPSERT batch pointing every production
// record at its recovery target, then wait for INSYNC. Records already there are left alone, so a
// re-run after success (or after a crash once the batch was sent) changes nothing.
import type { Change as BatchChange } from '@aws-sdk/client-route-53';
import type { Change, ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import { startFailover } from './change.ts';
import type { TrafficClients } from './clients.ts';
import { describeAnswer, findRecordSet, recoveryRecordSet, sameAnswer } from './records.ts';
import type { TrafficState } from './state.ts';
import { trafficPlan, zoneResource } from './zone.ts';

export async function failoverUpsertRecords(
  event: StepEvent,
  clients: TrafficClients,
  context: StepContext,
): Promise<ProgressResult<TrafficState>> {
  const traffic = trafficPlan(event, 'upsert-records');
  const startedAt = context.now().toISOString();
  const batch: BatchChange[] = [];
  const changes: Change[] = [];
  const changed: string[] = [];
  // One record at a time: Route 53 allows five requests per second per account.
  for (const record of traffic.records) {
    const current = await findRecordSet(clients.route53, traffic, record.name, record.type);
    const desired = recoveryRecordSet(record);
    if (current && !current.SetIdentifier && sameAnswer(current, desired)) continue;
    batch.push({ Action: 'UPSERT', ResourceRecordSet: desired });
    changed.push(record.name);
    changes.push({
      resource: `${record.name} ${record.type}`,
      action: 'upsert',
      detail: `${describeAnswer(current)} -> ${describeAnswer(desired)}`,
    });
  }

  return startFailover(event, clients.route53, context, {
    startedAt,
    batch,
    changes,
    moved: changed,
    alreadyDone: 'already point at the recovery target',
    submitted: `upserted ${changed.join(', ')} to the recovery target in ${zoneResource(traffic)}`,
  });
}
