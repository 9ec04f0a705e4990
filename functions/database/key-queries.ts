// The KMS key a restore of an encrypted snapshot copy uses (readiness of the RDS types): RDS can
// decrypt the copy only while the key exists in the recovery region and is Enabled.
import { DescribeKeyCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { awsCall } from '../shared/aws-errors.ts';
import type { DatabaseClients } from './clients.ts';
import { isAwsError } from './rds-queries.ts';

export const KEY_NOT_FOUND = ['NotFoundException'] as const;

/** The KMS key's metadata (in the client's region), or undefined when KMS does not know it. */
export function describeKey(
  clients: DatabaseClients,
  keyArn: string,
  operation: string,
): Promise<KeyMetadata | undefined> {
  return awsCall({ resource: `KMS key ${keyArn}`, operation }, async () => {
    try {
      return (await clients.kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
    } catch (error) {
      if (isAwsError(error, KEY_NOT_FOUND)) return undefined;
      throw error;
    }
  });
}
