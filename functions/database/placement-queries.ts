// What a snapshot restore names besides the snapshot (rds-snapshot-restore readiness): the DB
// subnet group and parameter group must exist in the recovery region, or AWS refuses the restore.
import { DescribeDBParameterGroupsCommand, DescribeDBSubnetGroupsCommand } from '@aws-sdk/client-rds';
import { awsCall } from '../shared/aws-errors.ts';
import type { DatabaseClients } from './clients.ts';
import { isAwsError } from './rds-queries.ts';

export const SUBNET_GROUP_NOT_FOUND = ['DBSubnetGroupNotFoundFault', 'DBSubnetGroupNotFound'] as const;
export const PARAMETER_GROUP_NOT_FOUND = [
  'DBParameterGroupNotFoundFault',
  'DBParameterGroupNotFound',
] as const;

/** Whether a describe finds what it names: false on its not-found codes, other errors mapped by awsCall. */
async function exists(
  resource: string,
  operation: string,
  notFound: readonly string[],
  describe: () => Promise<unknown>,
): Promise<boolean> {
  return awsCall({ resource, operation }, async () => {
    try {
      await describe();
      return true;
    } catch (error) {
      if (isAwsError(error, notFound)) return false;
      throw error;
    }
  });
}

/** Whether a DB subnet group exists (in the client's region). */
export function subnetGroupExists(
  clients: DatabaseClients,
  name: string,
  operation: string,
): Promise<boolean> {
  return exists(`DB subnet group ${name}`, operation, SUBNET_GROUP_NOT_FOUND, () =>
    clients.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name })),
  );
}

/** Whether a DB parameter group exists (in the client's region). */
export function parameterGroupExists(
  clients: DatabaseClients,
  name: string,
  operation: string,
): Promise<boolean> {
  return exists(`DB parameter group ${name}`, operation, PARAMETER_GROUP_NOT_FOUND, () =>
    clients.rds.send(new DescribeDBParameterGroupsCommand({ DBParameterGroupName: name })),
  );
}
