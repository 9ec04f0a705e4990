// The runbook's own resources (lock/history table, notification topic) in the recovery region:
// created when missing, so a run against an existing environment needs nothing else.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { DrPlan } from '../plan/schema.ts';

export interface RunbookResources {
  readonly tableName: string;
  readonly topicArn: string;
  readonly reportsBucket: string;
}

export async function ensureRunbookResources(
  plan: DrPlan,
  endpoint: string,
  created: string[],
): Promise<RunbookResources> {
  const region = plan.regions.recovery;
  const tableName = `dr-runbook-${plan.name}`;
  const dynamo = new DynamoDBClient({ region, endpoint });
  const exists = await dynamo.send(new DescribeTableCommand({ TableName: tableName })).then(
    () => true,
    (error: Error) => {
      if (error.name === 'ResourceNotFoundException') return false;
      throw error;
    },
  );
  if (!exists) {
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists({ client: dynamo, maxWaitTime: 30 }, { TableName: tableName });
    created.push(`${region}: DynamoDB table ${tableName} (runbook lock and history)`);
  }
  // CreateTopic is idempotent: it returns the existing topic's ARN.
  const topic = await new SNSClient({ region, endpoint }).send(
    new CreateTopicCommand({ Name: `dr-runbook-${plan.name}` }),
  );
  if (!exists) created.push(`${region}: SNS topic dr-runbook-${plan.name}`);
  const reportsBucket = `dr-runbook-${plan.name}-reports`;
  const s3 = new S3Client({ region, endpoint, forcePathStyle: true });
  const bucketExists = await s3.send(new HeadBucketCommand({ Bucket: reportsBucket })).then(
    () => true,
    () => false,
  );
  if (!bucketExists) {
    await s3.send(
      new CreateBucketCommand({
        Bucket: reportsBucket,
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
      }),
    );
    created.push(`${region}: S3 bucket ${reportsBucket} (run reports)`);
  }
  return { tableName, topicArn: topic.TopicArn ?? '', reportsBucket };
}
