// rds-snapshot-restore: backup and restore of an RDS instance from its snapshots copied to the
// recovery region.
//   failover: restores the newest copy to the plan's restoredInstanceId.
//   drill:    restores it to a temporary instance (deleted on revert).
// Either way the RPO is the snapshot's age: everything written after it is lost.
//   switchover: refused. A switchover is lossless by definition, and a restore always loses what
//             was written after its snapshot; `failover` is the mode for this type.
import type { ResourceOfType } from '../../../plan/schema.ts';
import { InvalidStepInputError } from '../../shared/errors.ts';
import type { ResourceSteps } from '../../shared/family-handler.ts';
import type { ReadinessCheck, ResourceEvent, StepContext } from '../../shared/step-contract.ts';
import { checkProgress, type Target } from '../check.ts';
import type { DatabaseClients } from '../clients.ts';
import { missingSecurityGroups, parameterGroupExists, subnetGroupExists } from '../placement-queries.ts';
import { findInstance } from '../rds-queries.ts';
import { kmsKeyCheck, probe, probeAll, snapshotChecks } from '../readiness-checks.ts';
import { type RestoreRequest, restoreNewestSnapshot } from '../restore-snapshot.ts';
import { drillInstanceOf, placementOf } from '../restore-target.ts';
import { revertDrill } from '../revert.ts';
import { fieldPath, requireMode } from '../state.ts';

type SnapshotRestore = ResourceOfType<'rds-snapshot-restore'>;
type Event = ResourceEvent<SnapshotRestore>;

/** The instance a restore creates: the plan's (failover) or the drill's temporary one. */
function restoreTarget(event: Event): string {
  return event.run.mode === 'drill' ? drillInstanceOf(event) : event.resource.restoredInstanceId;
}

/** Why a switchover cannot include this type, naming the resource and what to run instead. */
function switchoverRefusal(event: Event): string {
  return `${event.resourceId} is an rds-snapshot-restore: a switchover is lossless, and restoring ${event.resource.sourceInstanceId}'s newest snapshot loses everything written after it, so this type cannot switch over; run a failover (mode "failover") for this plan, or protect the database with a cross-region read replica (rds-read-replica) to switch over`;
}

/** InvalidStepInputError in a switchover (switchoverRefusal), else requireMode's drill or failover. */
function requireRestoreMode(event: Event, action: 'start' | 'check'): void {
  if (event.run.mode === 'switchover') {
    throw new InvalidStepInputError(
      `database ${action} refused: ${switchoverRefusal(event)}`,
      'execution input',
    );
  }
  requireMode(event, action, ['drill', 'failover']);
}

function restoreRequest(event: Event): RestoreRequest {
  const resource = event.resource;
  return {
    instanceId: restoreTarget(event),
    sourceInstanceIds: [resource.sourceInstanceId],
    sourcesField: fieldPath(event, 'sourceInstanceId'),
    instanceClass: resource.instanceClass,
    placement: placementOf(resource),
    rpo: { from: 'snapshot-age' },
  };
}

export const rdsSnapshotRestoreSteps: ResourceSteps<SnapshotRestore, DatabaseClients> = {
  // A drill restores the same snapshot with the same settings as a failover would.
  expectedSeconds(resource) {
    return resource.expectedRestoreSeconds;
  },

  async readiness(event, clients, context) {
    return {
      family: 'database',
      checks: await readinessChecks(event, clients, context),
      predictedSeconds: rdsSnapshotRestoreSteps.expectedSeconds(event.resource, event.run.mode),
    };
  },

  async start(event, clients, context) {
    requireRestoreMode(event, 'start');
    return restoreNewestSnapshot(event, clients, context, restoreRequest(event));
  },

  async check(event, clients, context) {
    requireRestoreMode(event, 'check');
    const target: Target = { operation: 'restore', instanceId: restoreTarget(event) };
    return checkProgress(event, clients, context, target);
  },

  revert: revertDrill,
};

async function readinessChecks(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ReadinessCheck[]> {
  const resource = event.resource;
  const target = resource.restoredInstanceId;
  const region = event.plan.regions.recovery;
  const [snapshots, absent] = await Promise.all([
    probeAll('snapshot-exists', () =>
      snapshotChecks(clients, context, {
        name: 'snapshot-exists',
        sources: [resource.sourceInstanceId],
        maxAgeHours: resource.snapshotMaxAgeHours,
        region,
        failure: 'fail',
        kmsKeyArn: resource.kmsKeyArn,
        paths: {
          maxAgeHours: fieldPath(event, 'snapshotMaxAgeHours'),
          kmsKeyArn: fieldPath(event, 'kmsKeyArn'),
        },
      }),
    ),
    probe(
      'restored-instance-absent',
      async (): Promise<ReadinessCheck> =>
        (await findInstance(clients.rds, target, 'describe the restore target'))
          ? {
              name: 'restored-instance-absent',
              status: 'warn',
              detail: `DB instance ${target} already exists in ${region}: a failover would use it as it is instead of restoring; delete it or change ${fieldPath(event, 'restoredInstanceId')}`,
            }
          : {
              name: 'restored-instance-absent',
              status: 'pass',
              detail: `no DB instance named ${target} yet`,
            },
    ),
  ]);
  const [placement, key] = await Promise.all([
    placementChecks(event, clients),
    resource.kmsKeyArn
      ? kmsKeyCheck(clients, {
          keyArn: resource.kmsKeyArn,
          path: fieldPath(event, 'kmsKeyArn'),
          region,
          failure: 'fail',
        })
      : undefined,
  ]);
  // A switchover's readiness says at once that this resource would refuse it.
  const lossless: ReadinessCheck[] =
    event.run.mode === 'switchover'
      ? [{ name: 'switchover-possible', status: 'fail', detail: switchoverRefusal(event) }]
      : [];
  return [...lossless, ...snapshots, absent, ...placement, ...(key ? [key] : [])];
}

/** What the restore names besides the snapshot: each must exist, or AWS refuses the restore. */
async function placementChecks(event: Event, clients: DatabaseClients): Promise<ReadinessCheck[]> {
  const resource = event.resource;
  const region = event.plan.regions.recovery;
  const named = [
    {
      check: 'subnet-group',
      what: 'DB subnet group',
      name: resource.dbSubnetGroupName,
      field: 'dbSubnetGroupName',
      exists: subnetGroupExists,
    },
    {
      check: 'parameter-group',
      what: 'DB parameter group',
      name: resource.dbParameterGroupName,
      field: 'dbParameterGroupName',
      exists: parameterGroupExists,
    },
  ];
  const groups = resource.vpcSecurityGroupIds;
  return Promise.all([
    ...named.flatMap(({ check, what, name, field, exists }) =>
      name === undefined
        ? []
        : [
            probe(
              check,
              async (): Promise<ReadinessCheck> =>
                (await exists(clients, name, 'check what the restore names'))
                  ? { name: check, status: 'pass', detail: `${what} ${name} exists in ${region}` }
                  : {
                      name: check,
                      status: 'fail',
                      detail: `${what} ${name} not found in ${region}: create it there, or fix ${fieldPath(event, field)}; AWS refuses a restore that names it`,
                    },
            ),
          ],
    ),
    ...(groups ? [securityGroupsCheck(event, clients, groups)] : []),
  ]);
}

/** security-groups: every VPC security group the restore names exists; the missing ones by field. */
function securityGroupsCheck(event: Event, clients: DatabaseClients, ids: string[]): Promise<ReadinessCheck> {
  const region = event.plan.regions.recovery;
  const name = 'security-groups';
  const field = fieldPath(event, 'vpcSecurityGroupIds');
  return probe(name, async (): Promise<ReadinessCheck> => {
    const missing = await missingSecurityGroups(
      clients,
      ids,
      'check the security groups the restore names (ec2:DescribeSecurityGroups)',
    );
    if (missing.length === 0) {
      return {
        name,
        status: 'pass',
        detail: `security group${ids.length === 1 ? '' : 's'} ${ids.join(', ')} exist${ids.length === 1 ? 's' : ''} in ${region}`,
      };
    }
    const named = missing.map((id) => `${id} (${field}[${ids.indexOf(id)}])`).join(', ');
    const one = missing.length === 1;
    return {
      name,
      status: 'fail',
      detail: `security group${one ? '' : 's'} ${named} not found in ${region}: create ${one ? 'it' : 'them'} there, or fix ${field}; AWS refuses a restore that names ${one ? 'it' : 'them'}`,
    };
  });
}
