// Database family resource types: each promotes, fails over or restores one data store in the
// recovery region (functions/database/types/<type>.ts implements each).
import {
  intBetween,
  kmsKeyArn,
  name255,
  rdsInstanceId,
  resourceId,
  text,
  timeoutMinutes,
} from '../fields.ts';
import * as z from '../zod.ts';
import { positiveInt } from '../zod.ts';

const common = {
  id: resourceId,
  description: z.optional(text(256)),
  /** A start/check loop still not done after this fails the run. @default 4× the expected time, at least 15 */
  timeoutMinutes,
};

const snapshotRestore = {
  /** Instance class of a restored instance. @default the replica's (or source's) class */
  instanceClass: z.optional(text(64, name255)),
  /** A newest snapshot older than this fails readiness. @default 24 */
  snapshotMaxAgeHours: z._default(intBetween(1, 24 * 366), 24),
};

/** Where a restored instance lives; each unset field is copied from the replica (or the AWS default). */
const restorePlacement = {
  /** DB subnet group in the recovery region. @default the replica's, else the default VPC's */
  dbSubnetGroupName: z.optional(name255),
  /** VPC security groups of the restored instance. @default the replica's, else the VPC default */
  vpcSecurityGroupIds: z.optional(
    z
      .array(
        z.string().check(
          z.regex(/^sg-[0-9a-f]{8,17}$/, {
            error: 'must be a security group ID such as "sg-0123456789abcdef0"',
          }),
        ),
      )
      .check(z.minLength(1), z.maxLength(5)),
  ),
  /** DB parameter group applied to the restored instance. @default the engine's default */
  dbParameterGroupName: z.optional(name255),
  /**
   * KMS key (in the recovery region) the snapshot copies are encrypted with: readiness checks the
   * newest copy uses it, and the role may use it for the restore. @default unencrypted snapshots
   */
  kmsKeyArn: z.optional(kmsKeyArn),
};

export const rdsReadReplica = z.strictObject({
  ...common,
  type: z.literal('rds-read-replica'),
  /** The production primary, in the primary region (a failover calls it only to fence it, best effort). */
  primaryInstanceId: rdsInstanceId,
  /** The cross-region read replica, in the recovery region. */
  replicaInstanceId: rdsInstanceId,
  /**
   * After a failover or switchover, stop the old primary (StopDBInstance in the primary region,
   * best effort, once the replica is promoted), so that it cannot take writes when its region
   * returns (docs/design.md, "Fencing"). @default true
   */
  fence: z._default(z.boolean(), true),
  /** Backup retention set on promotion when the replica has none. @default 7 */
  backupRetentionDays: z._default(intBetween(1, 35), 7),
  /** Expected promotion time, for the predicted RTO. @default 300 */
  expectedPromotionSeconds: z._default(positiveInt, 300),
  /** Drill: the newest recovery-region snapshot is restored to a temporary instance; its RPO is the replica's lag. */
  drill: z.prefault(z.strictObject({ ...snapshotRestore, ...restorePlacement }), {}),
});

export const rdsSnapshotRestore = z.strictObject({
  ...common,
  type: z.literal('rds-snapshot-restore'),
  /** Instance whose snapshots (copied to the recovery region) are restored. */
  sourceInstanceId: rdsInstanceId,
  /** Identifier of the instance created in the recovery region on failover. */
  restoredInstanceId: rdsInstanceId,
  ...snapshotRestore,
  ...restorePlacement,
  /** Expected restore time, for the predicted RTO. @default 900 */
  expectedRestoreSeconds: z._default(positiveInt, 900),
});

const clusterId = z.string().check(
  z.regex(/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/, {
    error: 'must be an Aurora cluster identifier: a letter, then letters, digits or "-" (at most 63)',
  }),
);

export const auroraGlobalDatabase = z.strictObject({
  ...common,
  type: z.literal('aurora-global-database'),
  /** The global database (global cluster) identifier. */
  globalClusterId: clusterId,
  /** The secondary cluster in the recovery region, which failover makes the primary. */
  secondaryClusterId: clusterId,
  /** Expected failover time, for the predicted RTO. @default 120 */
  expectedFailoverSeconds: z._default(positiveInt, 120),
  /** Drill: the secondary cluster is cloned to a temporary cluster (with one instance), deleted on revert. */
  drill: z.prefault(
    z.strictObject({
      /** Instance class of the temporary cluster's instance. @default "db.r6g.large" */
      instanceClass: z._default(text(64, name255), 'db.r6g.large'),
    }),
    {},
  ),
});

export const dynamodbGlobalTable = z.strictObject({
  ...common,
  type: z.literal('dynamodb-global-table'),
  /** The global table (version 2019.11.21) with a replica in the recovery region. */
  tableName: z.string().check(
    z.regex(/^[a-zA-Z0-9_.-]{3,255}$/, {
      error: 'must be a DynamoDB table name: 3-255 of a-z, A-Z, 0-9, "_", "-", "."',
    }),
  ),
  /** Drill: a probe item is written to and read from the recovery replica, then deleted. */
  drill: z.prefault(
    z.strictObject({
      /** Value of the probe item's keys (string keys only). @default "dr-runbook-probe#<run id>" */
      probeKeyPrefix: z._default(text(64, name255), 'dr-runbook-probe'),
    }),
    {},
  ),
});

export const DATABASE_TYPES = [
  rdsReadReplica,
  rdsSnapshotRestore,
  auroraGlobalDatabase,
  dynamodbGlobalTable,
] as const;
