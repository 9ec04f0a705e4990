// The fake lock and history table (DynamoDB, honouring the runbook's condition and update
// expressions) and the fake SNS topic.

import {
  type AttributeValue,
  DeleteItemCommand,
  type DeleteItemCommandInput,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import { awsError } from '../fixtures.ts';
import {
  applyUpdate,
  type ExpressionInput,
  evaluateCondition,
  type Item,
} from './fake-dynamodb-expressions.ts';
import type { Handler } from './fake-handler.ts';

const keyOf = (key: Record<string, AttributeValue>) => `${key.pk?.S}|${key.sk?.S}`;

export class FakeDynamoDb {
  /** Items of the one table, by "pk|sk". */
  readonly items = new Map<string, Item>();

  /** `tableName`: calls naming any other table fail as they would in AWS. */
  constructor(private readonly tableName: string) {}

  handlers(): Handler[] {
    return [
      [PutItemCommand, (input: PutItemCommandInput) => this.put(input)],
      [UpdateItemCommand, (input: UpdateItemCommandInput) => this.update(input)],
      [DeleteItemCommand, (input: DeleteItemCommandInput) => this.delete(input)],
      [GetItemCommand, (input: GetItemCommandInput) => this.get(input)],
      [QueryCommand, (input: QueryCommandInput) => this.query(input)],
    ];
  }

  seed(item: Item): void {
    this.items.set(keyOf(item), structuredClone(item));
  }

  /** Resolves the item the request is about, checking the table and the condition. */
  private conditional(
    input: ExpressionInput & { TableName?: string | undefined; ConditionExpression?: string | undefined },
    key: Record<string, AttributeValue>,
  ): Item | undefined {
    if (input.TableName !== this.tableName) {
      throw awsError(
        'ResourceNotFoundException',
        400,
        `Requested resource not found: Table: ${input.TableName} not found`,
      );
    }
    const existing = this.items.get(keyOf(key));
    if (input.ConditionExpression && !evaluateCondition(input.ConditionExpression, existing, input)) {
      throw awsError('ConditionalCheckFailedException', 400, 'The conditional request failed');
    }
    return existing;
  }

  private put(input: PutItemCommandInput) {
    const item = input.Item ?? {};
    this.conditional(input, item);
    this.items.set(keyOf(item), item);
    return {};
  }

  private update(input: UpdateItemCommandInput) {
    const key = input.Key ?? {};
    const existing = this.conditional(input, key);
    this.items.set(keyOf(key), applyUpdate(input.UpdateExpression ?? '', existing ?? { ...key }, input));
    return {};
  }

  private delete(input: DeleteItemCommandInput) {
    const key = input.Key ?? {};
    const existing = this.conditional(input, key);
    this.items.delete(keyOf(key));
    return input.ReturnValues === 'ALL_OLD' && existing ? { Attributes: existing } : {};
  }

  /** Only what the runbook asks: `pk = :pk`, optionally `AND sk BETWEEN :from AND :to`. */
  private query(input: QueryCommandInput) {
    const match = /^pk = (:\w+)(?: AND sk BETWEEN (:\w+) AND (:\w+))?$/.exec(
      input.KeyConditionExpression ?? '',
    );
    if (!match) throw new Error(`fake DynamoDB: unsupported key condition ${input.KeyConditionExpression}`);
    const value = (name: string | undefined) =>
      name ? input.ExpressionAttributeValues?.[name]?.S : undefined;
    const [pk, from, to] = [value(match[1]), value(match[2]), value(match[3])];
    const items = [...this.items.values()]
      .filter((item) => item.pk?.S === pk)
      .filter(
        (item) =>
          from === undefined || to === undefined || ((item.sk?.S ?? '') >= from && (item.sk?.S ?? '') <= to),
      )
      .sort((a, b) => (a.sk?.S ?? '').localeCompare(b.sk?.S ?? ''));
    return { Items: items, Count: items.length };
  }

  private get(input: GetItemCommandInput) {
    const item = this.conditional(input, input.Key ?? {});
    return item ? { Item: item } : {};
  }
}

/** Report objects, by bucket/key. */
export class FakeS3 {
  readonly objects = new Map<string, string>();

  handlers(): Handler[] {
    return [[PutObjectCommand, (input: PutObjectCommandInput) => this.put(input)]];
  }

  private put(input: PutObjectCommandInput) {
    this.objects.set(`${input.Bucket}/${input.Key}`, String(input.Body ?? ''));
    return { ETag: `"${this.objects.size}"` };
  }
}

export class FakeSns {
  readonly published: PublishCommandInput[] = [];

  handlers(): Handler[] {
    return [[PublishCommand, (input: PublishCommandInput) => this.publish(input)]];
  }

  private publish(input: PublishCommandInput) {
    this.published.push(input);
    return { MessageId: `message-${this.published.length}` };
  }
}
