// readiness: read-only checks that the plan's database recovery can run, and how long it should
// take. Problems are reported as checks; only TransientAwsError is thrown (Step Functions retries).

import { DRILL_RESTORE_EXPECTED_SECONDS } from '../shared/deadlines.ts';
import type {
  DrPlan,
  ReadinessCheck,
  ReadinessResult,
  StepContext,
  StepEvent,
} from '../shared/step-contract.ts';
import type { DatabaseClients } from './clients.ts';
import { findInstance } from './rds-queries.ts';
import { attempt, probe, replicaChecks, replicaLagCheck, snapshotCheck } from './readiness-checks.ts';

type DatabasePlan = DrPlan['database'];
type PromotePlan = Extract<DatabasePlan, { strategy: 'promote-read-replica' }>;
type RestorePlan = Extract<DatabasePlan, { strategy: 'restore-latest-snapshot' }>;

/** Predicted duration of a drill's snapshot restore (the promote strategy has no estimate of its own). */
export const DRILL_RESTORE_SECONDS = DRILL_RESTORE_EXPECTED_SECONDS;

export async function readiness(
  event: StepEvent,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ReadinessResult> {
  const database = event.plan.database;
  const result = (checks: ReadinessCheck[], predictedSeconds: number): ReadinessResult => ({
    family: 'database',
    strategy: database.strategy,
    checks,
    predictedSeconds,
  });
  switch (database.strategy) {
    case 'promote-read-replica':
      return result(
        await promoteChecks(event, database, clients, context),
        event.run.mode === 'drill' ? DRILL_RESTORE_SECONDS : database.expectedPromotionSeconds,
      );
    case 'restore-latest-snapshot':
      return result(await restoreChecks(event, database, clients, context), database.expectedRestoreSeconds);
    case 'none':
      return result(
        [
          {
            name: 'no-database',
            status: 'pass',
            detail: 'database strategy "none": nothing to promote or restore',
          },
        ],
        0,
      );
  }
}

async function promoteChecks(
  event: StepEvent,
  plan: PromotePlan,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ReadinessCheck[]> {
  const { replicaInstanceId: replicaId, primaryInstanceId: primaryId } = plan;
  const region = event.plan.regions.recovery;
  const [replica, lag, snapshot] = await Promise.all([
    attempt(() => findInstance(clients.rds, replicaId, 'describe the read replica')),
    probe('replica-lag', () =>
      replicaLagCheck(clients, context, replicaId, event.plan.objectives.rpoSeconds),
    ),
    probe('recent-snapshot', () =>
      snapshotCheck('recent-snapshot', clients, context, {
        sources: [primaryId, replicaId],
        maxAgeHours: plan.drill.snapshotMaxAgeHours,
        region,
        // A drill restores this snapshot; a failover promotes the replica and only loses a fallback.
        missing: event.run.mode === 'drill' ? 'fail' : 'warn',
      }),
    ),
  ]);
  return [...replicaChecks(replica, { replicaId, primaryId, region }), lag, snapshot];
}

async function restoreChecks(
  event: StepEvent,
  plan: RestorePlan,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ReadinessCheck[]> {
  const target = plan.restoredInstanceId;
  const region = event.plan.regions.recovery;
  return Promise.all([
    probe('snapshot-exists', () =>
      snapshotCheck('snapshot-exists', clients, context, {
        sources: [plan.sourceInstanceId],
        maxAgeHours: plan.snapshotMaxAgeHours,
        region,
        missing: 'fail',
      }),
    ),
    probe('restored-instance-absent', async () =>
      (await findInstance(clients.rds, target, 'describe the restore target'))
        ? {
            name: 'restored-instance-absent',
            status: 'warn',
            detail: `DB instance ${target} already exists in ${region}: a failover would use it as it is instead of restoring; delete it or change database.restoredInstanceId`,
          }
        : { name: 'restored-instance-absent', status: 'pass', detail: `no DB instance named ${target} yet` },
    ),
  ]);
}
