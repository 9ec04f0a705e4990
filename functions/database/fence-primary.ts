// Fencing an rds-read-replica resource (docs/design.md, "Fencing"): after a failover or switchover
// has promoted the replica, the old primary (primaryInstanceId, in the primary region) is stopped,
// so it cannot take writes when its region returns. Best effort: runStep calls it with the primary
// region's clients made for fencing (one short attempt) and records whatever it throws as
// not-reachable (transient) or failed.
//   1. describe it (not found: DatabaseInstanceNotFoundError, naming primaryInstanceId);
//   2. stopped or stopping already: fenced, nothing sent;
//   3. StopDBInstance. RDS refuses (InvalidDBInstanceState) an instance that still has read replicas:
//      the replica's promotion has not detached it yet; or one in a state it cannot stop from.
// RDS starts a stopped instance again after seven days: the detail says so.
import { type DBInstance, StopDBInstanceCommand } from '@aws-sdk/client-rds';
import type { ResourceOfType } from '../../plan/schema.ts';
import { awsCall } from '../shared/aws-errors.ts';
import { DatabaseInstanceNotFoundError, InvalidResourceStateError } from '../shared/errors.ts';
import type { FenceResult, ResourceEvent } from '../shared/step-contract.ts';
import type { DatabaseClients } from './clients.ts';
import { findInstance, INSTANCE_NOT_FOUND, INVALID_INSTANCE_STATE, isAwsError } from './rds-queries.ts';
import { fieldPath } from './state.ts';

type Fenced = Omit<FenceResult, 'family' | 'action'>;
type Event = ResourceEvent<ResourceOfType<'rds-read-replica'>>;

/** Statuses in which the instance takes no writes, or is about to. */
const STOPPED = new Set(['stopped', 'stopping']);

/** RDS restarts a stopped instance after this many days (a stop is never permanent). */
export const RDS_STOPPED_DAYS = 7;

export async function fencePrimary(event: Event, clients: DatabaseClients): Promise<Fenced> {
  const { primaryInstanceId: id, replicaInstanceId, fence } = event.resource;
  const region = event.plan.regions.primary;
  const field = fieldPath(event, 'primaryInstanceId');
  if (!fence) {
    return {
      outcome: 'skipped',
      detail: `fencing is turned off (${fieldPath(event, 'fence')} is false): DB instance ${id} in ${region} is left running`,
      changes: [],
    };
  }
  const instance = await findInstance(clients.rds, id, 'describe the old primary to fence it');
  if (!instance) {
    throw new DatabaseInstanceNotFoundError(
      `old primary DB instance ${id} not found in ${region}: nothing to stop; check ${field}`,
      id,
    );
  }
  const status = instance.DBInstanceStatus ?? 'unknown';
  if (STOPPED.has(status)) {
    return {
      outcome: 'fenced',
      detail: `DB instance ${id} in ${region} is already "${status}": it takes no writes`,
      changes: [],
    };
  }
  await awsCall(
    {
      resource: `DB instance ${id} (${field}) in ${region}`,
      operation: 'stop the old primary',
      notFound: { names: INSTANCE_NOT_FOUND, error: DatabaseInstanceNotFoundError },
    },
    async () => {
      try {
        await clients.rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id }));
      } catch (error) {
        if (!isAwsError(error, INVALID_INSTANCE_STATE)) throw error;
        throw refusal(event, instance, status, error);
      }
    },
  );
  const restarts = `RDS starts a stopped instance again after ${RDS_STOPPED_DAYS} days: stop it again, or delete it, before then`;
  return {
    outcome: 'fenced',
    detail: `stopping DB instance ${id} in ${region} (was "${status}"), so the old primary takes no writes; ${restarts}`,
    changes: [
      {
        resource: id,
        action: 'stop-db-instance',
        detail: `stopped the old primary in ${region} (was "${status}"; ${replicaInstanceId} is promoted in ${event.plan.regions.recovery})`,
      },
    ],
  };
}

/** Why RDS refused to stop the instance, and what to do: the error runStep records as failed. */
function refusal(
  event: Event,
  instance: DBInstance,
  status: string,
  cause: unknown,
): InvalidResourceStateError {
  const { primaryInstanceId: id, replicaInstanceId } = event.resource;
  const region = event.plan.regions.primary;
  const replicas = instance.ReadReplicaDBInstanceIdentifiers ?? [];
  const message = cause instanceof Error ? cause.message : String(cause);
  if (replicas.length > 0 || /read replica/i.test(message)) {
    const which = replicas.length > 0 ? ` (${replicas.join(', ')})` : '';
    return new InvalidResourceStateError(
      `RDS refused to stop DB instance ${id} in ${region}: it still has read replicas${which}, so the replica ${replicaInstanceId} is not yet detached (${message}). Once its promotion has finished, stop ${id} by hand (aws rds stop-db-instance --db-instance-identifier ${id} --region ${region}), or delete its other read replicas first`,
      id,
      { cause },
    );
  }
  return new InvalidResourceStateError(
    `RDS refused to stop DB instance ${id} in ${region} while it is "${status}" (${message}): stop it by hand once it is available (aws rds stop-db-instance --db-instance-identifier ${id} --region ${region})`,
    id,
    { cause },
  );
}
