// Submitting one Route 53 change batch and following it until INSYNC, and the ProgressResult shape
// every traffic start/check/revert returns.
import {
  type Change as BatchChange,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { TrafficPlan } from '../../plan/schema.ts';
import { awsCall, awsErrorName } from '../shared/aws-errors.ts';
import { AwsRequestError, InvalidResourceStateError } from '../shared/errors.ts';
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { Action, Change, ProgressResult, Run, StepContext } from '../shared/step-contract.ts';
import type { TrafficState } from './state.ts';
import { route53Call, zoneId } from './zone.ts';

export interface SubmittedChange {
  changeId: string;
  insync: boolean;
}

const bareChangeId = (id: string) => id.replace(/^\/change\//, '');

/** Sends one atomic change batch, commented with the run so the zone's history says who changed it. */
export async function submitChange(
  client: Route53Client,
  traffic: TrafficPlan,
  run: Run,
  purpose: string,
  changes: BatchChange[],
): Promise<SubmittedChange> {
  const names = [...new Set(changes.map((change) => change.ResourceRecordSet?.Name))].join(', ');
  const response = await route53Call(traffic, `change ${names} (route53:ChangeResourceRecordSets)`, () =>
    client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId(traffic),
        ChangeBatch: { Comment: `dr-runbook ${run.id} ${purpose}`, Changes: changes },
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

export interface ProgressFields {
  done: boolean;
  detail: string;
  state: TrafficState;
  changes?: Change[];
  measurements?: Record<string, number | string>;
}

/** A traffic ProgressResult; the next check is due sooner or later depending on time spent since `since`. */
export function progress(
  action: Exclude<Action, 'readiness'>,
  fields: ProgressFields,
  since: string,
  context: StepContext,
): ProgressResult<TrafficState> {
  return {
    family: 'traffic',
    action,
    done: fields.done,
    nextCheckSeconds: fields.done ? 0 : nextCheckSeconds(secondsBetween(since, context.now())),
    detail: fields.detail,
    state: fields.state,
    changes: fields.changes ?? [],
    ...(fields.measurements ? { measurements: fields.measurements } : {}),
  };
}
