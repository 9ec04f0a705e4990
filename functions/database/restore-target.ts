// What a restore creates: the drill's temporary instance, or the plan's restored instance on a
// restore-latest-snapshot failover, and which snapshots and settings it is restored from.
import { createHash } from 'node:crypto';
import { InvalidStepInputError, ReplicaNotFoundError } from '../shared/errors.ts';
import type { StepEvent } from '../shared/step-contract.ts';
import type { DatabaseClients } from './clients.ts';
import { findInstance } from './rds-queries.ts';
import type { RestoreRequest } from './restore-snapshot.ts';

/**
 * Identifier of a drill's temporary instance: `drill-<plan>-<8 hex of sha256(run id)>`. Derived only
 * from the run id, so a re-run finds the instance it created. The plan name is a slug of at most 40
 * characters, so the result (at most 55) is a valid RDS identifier: a letter first, letters, digits
 * and single hyphens, no trailing hyphen.
 */
export function drillInstanceId(planName: string, runId: string): string {
  const shortRunId = createHash('sha256').update(runId).digest('hex').slice(0, 8);
  return `drill-${planName}-${shortRunId}`;
}

/** The restore a drill (either strategy) or a restore-latest-snapshot failover performs. */
export async function restoreRequestFor(event: StepEvent, clients: DatabaseClients): Promise<RestoreRequest> {
  const database = event.plan.database;
  const drill = event.run.mode === 'drill';
  const drillId = drillInstanceId(event.plan.name, event.run.id);
  if (database.strategy === 'restore-latest-snapshot') {
    return {
      instanceId: drill ? drillId : database.restoredInstanceId,
      sourceInstanceIds: [database.sourceInstanceId],
      instanceClass: database.instanceClass,
    };
  }
  if (database.strategy !== 'promote-read-replica') {
    throw new InvalidStepInputError(
      `database strategy "${database.strategy}" restores nothing`,
      'execution input',
    );
  }
  // The drill copies the replica's network placement, so the temporary instance lands where the
  // promoted replica would serve from; without the replica a failover would fail too.
  const replicaId = database.replicaInstanceId;
  const replica = await findInstance(clients.rds, replicaId, 'describe the read replica');
  if (!replica) {
    throw new ReplicaNotFoundError(
      `read replica ${replicaId} not found in ${event.plan.regions.recovery}: the drill copies its subnet group and security groups; check database.replicaInstanceId`,
      replicaId,
    );
  }
  return {
    instanceId: drillId,
    sourceInstanceIds: [database.primaryInstanceId, replicaId],
    instanceClass: database.drill.instanceClass ?? replica.DBInstanceClass,
    template: replica,
  };
}
