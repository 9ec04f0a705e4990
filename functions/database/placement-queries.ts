// What a snapshot restore names besides the snapshot (rds-snapshot-restore readiness): the DB
// subnet group, parameter group and VPC security groups must exist in the recovery region, or AWS
// refuses the restore.
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { DescribeDBParameterGroupsCommand, DescribeDBSubnetGroupsCommand } from '@aws-sdk/client-rds';
import { awsCall } from '../shared/aws-errors.ts';
import type { DatabaseClients } from './clients.ts';
import { isAwsError } from './rds-queries.ts';

export const SUBNET_GROUP_NOT_FOUND = ['DBSubnetGroupNotFoundFault', 'DBSubnetGroupNotFound'] as const;
export const PARAMETER_GROUP_NOT_FOUND = [
  'DBParameterGroupNotFoundFault',
  'DBParameterGroupNotFound',
] as const;
/** DescribeSecurityGroups by GroupIds: one of them does not exist (the message names it). */
export const SECURITY_GROUP_NOT_FOUND = ['InvalidGroup.NotFound'] as const;

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

/**
 * The security groups of `ids` that do not exist (in the client's region), in the order given. One
 * describe by GroupIds answers when all exist; it fails on the first missing one, so then one
 * describe filtered by group-id (which returns the existing ones, no error) tells which are missing.
 */
export function missingSecurityGroups(
  clients: DatabaseClients,
  ids: readonly string[],
  operation: string,
): Promise<string[]> {
  return awsCall({ resource: `security groups ${ids.join(', ')}`, operation }, async () => {
    const found = async (request: () => Promise<{ SecurityGroups?: { GroupId?: string }[] }>) =>
      new Set(((await request()).SecurityGroups ?? []).map((g) => g.GroupId));
    let existing: Set<string | undefined>;
    try {
      existing = await found(() =>
        clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...ids] })),
      );
    } catch (error) {
      if (!isAwsError(error, SECURITY_GROUP_NOT_FOUND)) throw error;
      existing = await found(() =>
        clients.ec2.send(
          new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: [...ids] }] }),
        ),
      );
    }
    return ids.filter((id) => !existing.has(id));
  });
}
