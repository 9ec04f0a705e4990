// Readiness checks shared by the RDS resource types. Each returns checks (pass/warn/fail) naming
// the resource, and for warn/fail what to do; probe() turns a permanent AWS error (access denied,
// bad request) into a failed check, while TransientAwsError propagates for a retry.
import type { KeyState } from '@aws-sdk/client-kms';
import type { DBSnapshot } from '@aws-sdk/client-rds';
import { TransientAwsError } from '../shared/errors.ts';
import type { ReadinessCheck, StepContext } from '../shared/step-contract.ts';
import type { DatabaseClients } from './clients.ts';
import { describeKey } from './key-queries.ts';
import { newestSnapshot, snapshotAgeSeconds } from './rds-queries.ts';

export interface SnapshotCheckOptions {
  /** Name of the age check, e.g. "recent-snapshot". */
  name: string;
  /** Instances whose snapshots count. */
  sources: string[];
  maxAgeHours: number;
  region: string;
  /** Status when there is no snapshot at all, and when it is not under the plan's KMS key. */
  failure: 'fail' | 'warn';
  /** The KMS key the snapshot copies must be encrypted with (the plan's `kmsKeyArn`). */
  kmsKeyArn: string | undefined;
  /** Plan paths named in the messages. */
  paths: { maxAgeHours: string; kmsKeyArn: string };
}

/**
 * The newest available snapshot of the sources: present and not older than maxAgeHours (else
 * warn); then `snapshot-encryption` when the plan names a KMS key or the snapshot is encrypted.
 */
export async function snapshotChecks(
  clients: DatabaseClients,
  context: StepContext,
  options: SnapshotCheckOptions,
): Promise<ReadinessCheck[]> {
  const { name, sources, maxAgeHours, region, failure, paths } = options;
  const snapshot = await newestSnapshot(clients.rds, sources);
  if (!snapshot) {
    return [
      {
        name,
        status: failure,
        detail: `no available DB snapshot of ${sources.join(' or ')} in ${region}: copy snapshots to the recovery region${failure === 'fail' ? ' (the restore needs one)' : ''}`,
      },
    ];
  }
  const ageHours = snapshotAgeSeconds(snapshot, context.now()) / 3600;
  const described = `newest snapshot ${snapshot.DBSnapshotIdentifier} in ${region} is ${ageHours.toFixed(1)} h old`;
  const age: ReadinessCheck =
    ageHours <= maxAgeHours
      ? { name, status: 'pass', detail: `${described} (limit ${maxAgeHours} h)` }
      : {
          name,
          status: 'warn',
          detail: `${described}, older than ${maxAgeHours} h (${paths.maxAgeHours}): check the cross-region snapshot copy schedule`,
        };
  const encryption = encryptionCheck(snapshot, options.kmsKeyArn, paths.kmsKeyArn, failure);
  return encryption ? [age, encryption] : [age];
}

/** Whether the snapshot's KmsKeyId (a key ARN, or a bare key id) is the plan's key ARN. */
function sameKey(snapshotKey: string | undefined, keyArn: string): boolean {
  if (!snapshotKey) return false;
  const key = snapshotKey.toLowerCase();
  const planned = keyArn.toLowerCase();
  return key === planned || (!key.startsWith('arn:') && planned.endsWith(`:key/${key}`));
}

/**
 * snapshot-encryption: a restore of an encrypted snapshot needs its KMS key, which the step's role
 * may only use when the plan names it. Absent when the plan names no key and the snapshot is plain.
 */
function encryptionCheck(
  snapshot: DBSnapshot,
  kmsKeyArn: string | undefined,
  path: string,
  failure: 'fail' | 'warn',
): ReadinessCheck | undefined {
  const name = 'snapshot-encryption';
  const id = snapshot.DBSnapshotIdentifier;
  const key = snapshot.KmsKeyId;
  if (!kmsKeyArn) {
    if (!snapshot.Encrypted) return undefined;
    return {
      name,
      status: 'warn',
      detail: `newest snapshot ${id} is encrypted with KMS key ${key ?? '(not named)'}, and ${path} is not set: set ${path} to that key's ARN, so the step's role may use the key; without it a real restore is refused`,
    };
  }
  if (!snapshot.Encrypted) {
    return {
      name,
      status: failure,
      detail: `newest snapshot ${id} is not encrypted, but ${path} is ${kmsKeyArn}: copy the snapshots to the recovery region encrypted with that key (CopyDBSnapshot KmsKeyId), or remove ${path}`,
    };
  }
  if (!sameKey(key, kmsKeyArn)) {
    return {
      name,
      status: failure,
      detail: `newest snapshot ${id} is encrypted with KMS key ${key ?? '(not named)'}, not with ${path} (${kmsKeyArn}): copy the snapshots with that key, or set ${path} to the key they use`,
    };
  }
  return { name, status: 'pass', detail: `newest snapshot ${id} is encrypted with ${path} (${kmsKeyArn})` };
}

/** What to do about a KMS key that is not Enabled, by its KeyState. */
const KEY_STATE_FIX: Partial<Record<KeyState, string>> = {
  Disabled: 'enable it (EnableKey)',
  PendingDeletion:
    'cancel its deletion (CancelKeyDeletion) and enable it; once it is deleted, no snapshot encrypted with it can be restored',
  PendingReplicaDeletion:
    'cancel its deletion (CancelKeyDeletion) and enable it; once it is deleted, no snapshot encrypted with it can be restored',
  PendingImport: 'import its key material (ImportKeyMaterial)',
  Unavailable: 'its custom key store is disconnected: reconnect it (ConnectCustomKeyStore)',
  Creating: 'wait until it is Enabled, then run readiness again',
  Updating: 'wait until it is Enabled, then run readiness again',
};

/** The region of an ARN (arn:partition:service:region:...). */
const regionOf = (arn: string) => arn.split(':')[3];

/**
 * kms-key: the KMS key the plan names (which the snapshot copies are encrypted with) exists in the
 * recovery region and is Enabled; in any other state RDS cannot decrypt the copy and the restore
 * fails. A missing key or one in another state is `failure`; a refused read is a failed check.
 */
export function kmsKeyCheck(
  clients: DatabaseClients,
  options: { keyArn: string; path: string; region: string; failure: 'fail' | 'warn' },
): Promise<ReadinessCheck> {
  const { keyArn, path, region, failure } = options;
  const name = 'kms-key';
  return probe(name, async (): Promise<ReadinessCheck> => {
    const key = await describeKey(clients, keyArn, 'read the state of the KMS key (kms:DescribeKey)');
    if (!key) {
      const elsewhere =
        regionOf(keyArn) === region
          ? ''
          : ` (the ARN names ${regionOf(keyArn)}: a snapshot copy in ${region} is encrypted with a key of ${region})`;
      return {
        name,
        status: failure,
        detail: `KMS key ${keyArn} (${path}) not found in ${region}${elsewhere}: copy the snapshots with a key of ${region} and set ${path} to its ARN`,
      };
    }
    const state = key.KeyState ?? 'unknown';
    if (state === 'Enabled') {
      return { name, status: 'pass', detail: `KMS key ${keyArn} (${path}) is Enabled in ${region}` };
    }
    const fix = KEY_STATE_FIX[state as KeyState] ?? 'it must be Enabled';
    return {
      name,
      status: failure,
      detail: `KMS key ${keyArn} (${path}) is ${state} in ${region}, not Enabled: a restore of a snapshot copy encrypted with it fails; ${fix}`,
    };
  });
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

/** Runs checks that share one read; a permanent error becomes one failed check named `name`. */
export async function probeAll(
  name: string,
  checks: () => Promise<ReadinessCheck[]>,
): Promise<ReadinessCheck[]> {
  const outcome = await attempt(checks);
  return 'value' in outcome ? outcome.value : [{ name, status: 'fail', detail: outcome.error }];
}
