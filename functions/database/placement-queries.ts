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

/** Whether a DB subnet group exists (in the client's region). */
export async function subnetGroupExists(
  clients: DatabaseClients,
  name: string,
  operation: string,
): Promise<boolean> {
  return awsCall({ resource: `DB subnet group ${name}`, operation }, async () => {
    try {
      await clients.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name }));
      return true;
    } catch (error) {
      if (isAwsError(error, SUBNET_GROUP_NOT_FOUND)) return false;
      throw error;
    }
  });
}

/** Whether a DB parameter group exists (in the client's region). */
export async function parameterGroupExists(
  clients: DatabaseClients,
  name: string,
  operation: string,
): Promise<boolean> {
  return awsCall({ resource: `DB parameter group ${name}`, operation }, async () => {
    try {
      await clients.rds.send(new DescribeDBParameterGroupsCommand({ DBParameterGroupName: name }));
      return true;
    } catch (error) {
      if (isAwsError(error, PARAMETER_GROUP_NOT_FOUND)) return false;
      throw error;
    }
  });
}
