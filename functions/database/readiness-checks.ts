// The individual readiness checks of the database family. Each returns a check (pass/warn/fail)
// naming the resource, and for warn/fail what to do; probe() turns a permanent AWS error (access
// denied, bad request) into a failed check, while TransientAwsError propagates for a retry.
import type { DBInstance } from '@aws-sdk/client-rds';
import { TransientAwsError } from '../shared/errors.ts';
import type { CheckStatus, ReadinessCheck, StepContext } from '../shared/step-contract.ts';
import type { DatabaseClients } from './clients.ts';
import { newestSnapshot, replicaLagDatapoints, snapshotAgeSeconds } from './rds-queries.ts';

/** Window over which the maximum ReplicaLag must be within the RPO objective. */
export const LAG_WINDOW_SECONDS = 600;

/** replica-available and replicates-from-primary, from one describe of the replica (or its failure). */
export function replicaChecks(
  replica: Attempt<DBInstance | undefined>,
  ids: { replicaId: string; primaryId: string; region: string },
): ReadinessCheck[] {
  const { replicaId, primaryId, region } = ids;
  if ('error' in replica || !replica.value) {
    const problem =
      'error' in replica
        ? replica.error
        : `read replica ${replicaId} not found in ${region}: create the cross-region read replica or fix database.replicaInstanceId`;
    return [
      { name: 'replica-available', status: 'fail', detail: problem },
      { name: 'replicates-from-primary', status: 'fail', detail: `cannot tell: ${problem}` },
    ];
  }
  const status = replica.value.DBInstanceStatus ?? 'unknown';
  const available = (result: CheckStatus, detail: string) => ({
    name: 'replica-available',
    status: result,
    detail,
  });
  const replicates = (result: CheckStatus, detail: string) => ({
    name: 'replicates-from-primary',
    status: result,
    detail,
  });
  const source = replica.value.ReadReplicaSourceDBInstanceIdentifier;
  const primary = primaryId.toLowerCase();
  return [
    status === 'available'
      ? available('pass', `read replica ${replicaId} is available in ${region}`)
      : available(
          'fail',
          `read replica ${replicaId} is "${status}", not "available": promotion would wait or fail; investigate it`,
        ),
    !source
      ? replicates(
          'warn',
          `${replicaId} has no replication source: already standalone: promotion will be a no-op`,
        )
      : source.toLowerCase() === primary || source.toLowerCase().endsWith(`:db:${primary}`)
        ? replicates('pass', `${replicaId} replicates from ${source}`)
        : replicates(
            'fail',
            `${replicaId} replicates from ${source}, not from ${primaryId}: fix database.primaryInstanceId or database.replicaInstanceId`,
          ),
  ];
}

/** replica-lag: the worst ReplicaLag of the last 10 minutes against the RPO objective. */
export async function replicaLagCheck(
  clients: DatabaseClients,
  context: StepContext,
  replicaId: string,
  rpoSeconds: number,
): Promise<ReadinessCheck> {
  const points = await replicaLagDatapoints(clients.cloudwatch, replicaId, LAG_WINDOW_SECONDS, context.now());
  const name = 'replica-lag';
  if (points.length === 0) {
    return {
      name,
      status: 'warn',
      detail: `no ReplicaLag datapoints for ${replicaId} in the last ${LAG_WINDOW_SECONDS / 60} minutes: the RPO cannot be predicted; check the replica is replicating`,
    };
  }
  const worst = Math.max(...points.map((p) => p.seconds));
  return worst <= rpoSeconds
    ? {
        name,
        status: 'pass',
        detail: `ReplicaLag of ${replicaId} at most ${worst} s, within the RPO of ${rpoSeconds} s`,
      }
    : {
        name,
        status: 'fail',
        detail: `ReplicaLag of ${replicaId} reached ${worst} s, above the RPO of ${rpoSeconds} s: a failover now would lose more data than the objective allows`,
      };
}

export interface SnapshotCheckOptions {
  /** Instances whose snapshots count. */
  sources: string[];
  maxAgeHours: number;
  region: string;
  /** Status when there is no snapshot at all. */
  missing: 'fail' | 'warn';
}

/** The newest available snapshot of the sources: present, and not older than maxAgeHours (else warn). */
export async function snapshotCheck(
  name: string,
  clients: DatabaseClients,
  context: StepContext,
  options: SnapshotCheckOptions,
): Promise<ReadinessCheck> {
  const { sources, maxAgeHours, region, missing } = options;
  const snapshot = await newestSnapshot(clients.rds, sources);
  if (!snapshot) {
    return {
      name,
      status: missing,
      detail: `no available DB snapshot of ${sources.join(' or ')} in ${region}: copy snapshots to the recovery region${missing === 'fail' ? ' (the restore needs one)' : ''}`,
    };
  }
  const ageHours = snapshotAgeSeconds(snapshot, context.now()) / 3600;
  const described = `newest snapshot ${snapshot.DBSnapshotIdentifier} in ${region} is ${ageHours.toFixed(1)} h old`;
  return ageHours <= maxAgeHours
    ? { name, status: 'pass', detail: `${described} (limit ${maxAgeHours} h)` }
    : {
        name,
        status: 'warn',
        detail: `${described}, older than ${maxAgeHours} h: check the cross-region snapshot copy schedule`,
      };
}

export type Attempt<T> = { value: T } | { error: string };

/** Runs a read; a permanent error becomes its message, a transient one propagates. */
export async function attempt<T>(read: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { value: await read() };
  } catch (error) {
    if (error instanceof TransientAwsError) throw error;
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs one check; a permanent error becomes a failed check with the error's message. */
export async function probe(name: string, check: () => Promise<ReadinessCheck>): Promise<ReadinessCheck> {
  const outcome = await attempt(check);
  return 'value' in outcome ? outcome.value : { name, status: 'fail', detail: outcome.error };
}
