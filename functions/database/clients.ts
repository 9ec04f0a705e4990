// The database family's SDK clients, in the plan's recovery region; only fencing gets the primary
// region's (one short attempt: functions/shared/clients.ts FENCE_TIMEOUTS).
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { clientsPerRegion } from '../shared/clients.ts';

export interface DatabaseClients {
  rds: RDSClient;
  cloudwatch: CloudWatchClient;
  dynamodb: DynamoDBClient;
  /** Readiness only: the security groups a restore names. */
  ec2: EC2Client;
  /** Readiness only: the state of the KMS key a restore uses. */
  kms: KMSClient;
}

export const databaseClientsFor = clientsPerRegion<DatabaseClients>((config) => ({
  rds: new RDSClient(config),
  cloudwatch: new CloudWatchClient(config),
  dynamodb: new DynamoDBClient(config),
  ec2: new EC2Client(config),
  kms: new KMSClient(config),
}));
