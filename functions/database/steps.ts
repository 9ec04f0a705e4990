// The database family: each resource type's actions (functions/database/types/<type>.ts).
//   rds-read-replica:        failover promotes the replica (and fencing stops the old primary); a
//                            drill restores the newest snapshot to a temporary instance and
//                            deletes it on revert.
//   rds-snapshot-restore:    failover restores the newest snapshot to restoredInstanceId; a drill
//                            restores it to a temporary instance.
//   aurora-global-database:  failover fails the global database over to the secondary cluster
//                            (which demotes the old primary: fencing skips it, saying so).
//   dynamodb-global-table:   the recovery replica serves on its own.
import type { FamilySteps } from '../shared/family-handler.ts';
import type { DatabaseClients } from './clients.ts';
import { auroraGlobalDatabaseSteps } from './types/aurora-global-database.ts';
import { dynamodbGlobalTableSteps } from './types/dynamodb-global-table.ts';
import { rdsReadReplicaSteps } from './types/rds-read-replica.ts';
import { rdsSnapshotRestoreSteps } from './types/rds-snapshot-restore.ts';

export const databaseSteps: FamilySteps<DatabaseClients> = {
  'rds-read-replica': rdsReadReplicaSteps,
  'rds-snapshot-restore': rdsSnapshotRestoreSteps,
  'aurora-global-database': auroraGlobalDatabaseSteps,
  'dynamodb-global-table': dynamodbGlobalTableSteps,
};
