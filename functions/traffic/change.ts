// Submitting one Route 53 change batch and following it until INSYNC.
import {
  type Change as BatchChange,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { awsCall, awsErrorName } from '../shared/aws-errors.ts';
import { AwsRequestError, InvalidResourceStateError } from '../shared/errors.ts';
import type { Change, ProgressResult, StepContext } from '../shared/step-contract.ts';
import { progress } from './progress.ts';
import type { TrafficState } from './state.ts';
import { route53Call, type TrafficEvent, zoneId, zoneResource } from './zone.ts';

export interface SubmittedChange {
  changeId: string;
  insync: boolean;
}

const bareChangeId = (id: string) => id.replace(/^\/change\//, '');

/** The comment of every change batch: the zone's history says which run and resource changed it. */
export function changeComment(event: Pick<TrafficEvent, 'run' | 'resourceId'>, purpose: string): string {
  return `dr-runbook ${event.run.id} ${event.resourceId} ${purpose}`;
}

/** Sends one atomic change batch in the resource's zone, commented with the run and resource. */
export async function submitChange(
  client: Route53Client,
  event: TrafficEvent,
  purpose: string,
  changes: BatchChange[],
): Promise<SubmittedChange> {
  const resource = event.resource;
  const names = [...new Set(changes.map((change) => change.ResourceRecordSet?.Name))].join(', ');
  const response = await route53Call(resource, `change ${names} (route53:ChangeResourceRecordSets)`, () =>
    client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId(resource),
        ChangeBatch: { Comment: changeComment(event, purpose), Changes: changes },
      }),
    ),
  );
  const info = response.ChangeInfo;
  if (!info?.Id) {
    throw new AwsRequestError(`Route 53 accepted the change to ${names} but returned no change ID`, names);
  }
  return { changeId: bareChangeId(info.Id), insync: info.Status === 'INSYNC' };
}

/** Whether a submitted change has reached every Route 53 name server. */
export async function changeInSync(client: Route53Client, changeId: string): Promise<boolean> {
  const resource = `Route 53 change ${changeId}`;
  const response = await awsCall(
    { resource, operation: 'read change status (route53:GetChange)' },
    async () => {
      try {
        return await client.send(new GetChangeCommand({ Id: changeId }));
      } catch (error) {
        if (awsErrorName(error) !== 'NoSuchChange') throw error;
        throw new InvalidResourceStateError(
          `${resource} does not exist (NoSuchChange): the state passed to check is not from a start in this account`,
          resource,
          { cause: error },
        );
      }
    },
  );
  return response.ChangeInfo?.Status === 'INSYNC';
}

/** What a failover of one traffic type found to change, and how to say it. */
export interface FailoverBatch {
  readonly startedAt: string;
  readonly batch: BatchChange[];
  readonly changes: Change[];
  /** How the records are when nothing needs to change, e.g. "already point at the recovery target". */
  readonly alreadyDone: string;
  /** What the batch does, e.g. "upserted a.example.com to the recovery target in zone …". */
  readonly submitted: string;
}

/** Start of a traffic failover: sends the batch as one atomic change, or nothing when the records
 * are already where failover puts them (a re-run after success changes nothing). */
export async function startFailover(
  event: TrafficEvent,
  route53: Route53Client,
  context: StepContext,
  failover: FailoverBatch,
): Promise<ProgressResult<TrafficState>> {
  const { startedAt, batch, changes } = failover;
  if (batch.length === 0) {
    const names = event.resource.records.map((record) => record.name);
    return progress(
      'start',
      {
        done: true,
        detail: `${names.join(', ')} ${failover.alreadyDone} in ${zoneResource(event.resource)}; nothing to change`,
        state: { startedAt },
      },
      startedAt,
      context,
    );
  }
  const { changeId, insync } = await submitChange(route53, event, 'failover', batch);
  return progress(
    'start',
    {
      done: insync,
      detail: `${failover.submitted} (change ${changeId} ${insync ? 'INSYNC' : 'PENDING'})`,
      state: { changeId, startedAt },
      changes,
    },
    startedAt,
    context,
  );
}
