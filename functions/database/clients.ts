// The database family's SDK clients, all in the plan's recovery region (never the primary's).
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RDSClient } from '@aws-sdk/client-rds';
import { clientsPerRegion } from '../shared/clients.ts';

export interface DatabaseClients {
  rds: RDSClient;
  cloudwatch: CloudWatchClient;
  dynamodb: DynamoDBClient;
}

export const databaseClientsFor = clientsPerRegion<DatabaseClients>((config) => ({
  rds: new RDSClient(config),
  cloudwatch: new CloudWatchClient(config),
  dynamodb: new DynamoDBClient(config),
}));
