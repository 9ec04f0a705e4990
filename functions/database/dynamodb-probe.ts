// The drill's probe item in a global table's recovery replica: written with attributes that mark
// it as this run's (run id, purpose drill, resource id), read back with a strongly consistent
// read, and deleted only while it still carries those marks. Its key derives from the run id and
// the resource id, so a revert finds it with no state and two resources never share one.
import {
  type AttributeValue,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { awsErrorName } from '../shared/aws-errors.ts';
import { InvalidResourceStateError } from '../shared/errors.ts';
import type { DatabaseClients } from './clients.ts';
import { type TableRef, tableCall } from './dynamodb-table.ts';
import { TAG_PLAN, TAG_PURPOSE, TAG_RESOURCE, TAG_RUN_ID } from './rds-queries.ts';

/** When the probe was written (ISO time), for whoever finds one left behind. */
export const PROBE_WRITTEN_AT = 'dr-runbook:written-at';

/** Why an item call may be denied although the role has the action: its policy's condition. */
const ITEM_CONDITION_HINT =
  'the role may only touch items whose partition key starts with the drill.probeKeyPrefix and "#" (dynamodb:LeadingKeys): redeploy the runbook after changing the prefix';

/** The item a failed condition found (ReturnValuesOnConditionCheckFailure ALL_OLD), when the error is one. */
function conditionFailure(error: unknown): { item: Record<string, AttributeValue> | undefined } | undefined {
  if (awsErrorName(error) !== 'ConditionalCheckFailedException') return undefined;
  return { item: (error as { Item?: Record<string, AttributeValue> }).Item };
}

/** Whose probe an item is. */
export interface ProbeOwner {
  planName: string;
  runId: string;
  resourceId: string;
}

/**
 * The value of every key attribute of the probe item: `<probeKeyPrefix>#<run id>#<resource id>`
 * (the role may only touch items whose partition key starts with `<probeKeyPrefix>#`).
 */
export function probeKeyValue(prefix: string, owner: ProbeOwner): string {
  return `${prefix}#${owner.runId}#${owner.resourceId}`;
}

/** The key as messages show it, e.g. `pk="dr-runbook-probe#run-1#sessions"`. */
export function describeKey(key: Record<string, AttributeValue>): string {
  return Object.entries(key)
    .map(([name, value]) => `${name}="${value.S}"`)
    .join(', ');
}

/** The condition every write and delete of the probe carries: the item is this run's probe. */
function ownedBy(owner: ProbeOwner) {
  return {
    condition: '#run = :run AND #purpose = :purpose AND #resource = :resource',
    names: { '#run': TAG_RUN_ID, '#purpose': TAG_PURPOSE, '#resource': TAG_RESOURCE },
    values: {
      ':run': { S: owner.runId },
      ':purpose': { S: 'drill' },
      ':resource': { S: owner.resourceId },
    } satisfies Record<string, AttributeValue>,
  };
}

/** Whether an item carries this run's probe marks. */
export function isOwnProbe(item: Record<string, AttributeValue>, owner: ProbeOwner): boolean {
  return (
    item[TAG_RUN_ID]?.S === owner.runId &&
    item[TAG_PURPOSE]?.S === 'drill' &&
    item[TAG_RESOURCE]?.S === owner.resourceId
  );
}

function marks(item: Record<string, AttributeValue> | undefined): string {
  const value = (name: string) => item?.[name]?.S ?? '(absent)';
  return `${TAG_RUN_ID}=${value(TAG_RUN_ID)}, ${TAG_PURPOSE}=${value(TAG_PURPOSE)}, ${TAG_RESOURCE}=${value(TAG_RESOURCE)}`;
}

/**
 * Writes the probe; a re-run overwrites this run's own probe, and an item with the key that is
 * not this run's probe is never overwritten.
 */
export async function writeProbe(
  dynamodb: DatabaseClients['dynamodb'],
  ref: TableRef,
  key: Record<string, AttributeValue>,
  owner: ProbeOwner,
  now: Date,
  /** `resources[i].drill.probeKeyPrefix`, named when the key is taken. */
  prefixPath: string,
): Promise<void> {
  const own = ownedBy(owner);
  const firstKey = Object.keys(key)[0] as string;
  const write = async (): Promise<void> => {
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: ref.tableName,
          Item: {
            ...key,
            [TAG_RUN_ID]: { S: owner.runId },
            [TAG_PURPOSE]: { S: 'drill' },
            [TAG_RESOURCE]: { S: owner.resourceId },
            [TAG_PLAN]: { S: owner.planName },
            [PROBE_WRITTEN_AT]: { S: now.toISOString() },
          },
          ConditionExpression: `attribute_not_exists(#key) OR (${own.condition})`,
          ExpressionAttributeNames: { '#key': firstKey, ...own.names },
          ExpressionAttributeValues: own.values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      const failed = conditionFailure(error);
      if (!failed) throw error;
      throw new InvalidResourceStateError(
        `refusing to overwrite the item ${describeKey(key)} of table ${ref.tableName} in ${ref.region}: it is not the drill probe of run ${owner.runId} for ${owner.resourceId} (${marks(failed.item)}); delete it, or change ${prefixPath}`,
        ref.tableName,
        { cause: error },
      );
    }
  };
  await tableCall(ref, 'write the drill probe item', 'dynamodb:PutItem', write, ITEM_CONDITION_HINT);
}

/** The item with the probe's key, read with a strongly consistent read, or undefined. */
export async function readProbe(
  dynamodb: DatabaseClients['dynamodb'],
  ref: TableRef,
  key: Record<string, AttributeValue>,
): Promise<Record<string, AttributeValue> | undefined> {
  const out = await tableCall(
    ref,
    'read the drill probe item',
    'dynamodb:GetItem',
    () => dynamodb.send(new GetItemCommand({ TableName: ref.tableName, Key: key, ConsistentRead: true })),
    ITEM_CONDITION_HINT,
  );
  return out.Item;
}

/** Refuses to touch an item with the probe's key that is not this run's probe. */
export function requireOwnProbe(
  item: Record<string, AttributeValue>,
  ref: TableRef,
  key: Record<string, AttributeValue>,
  owner: ProbeOwner,
): void {
  if (isOwnProbe(item, owner)) return;
  throw new InvalidResourceStateError(
    `refusing to delete the item ${describeKey(key)} of table ${ref.tableName} in ${ref.region}: it is not the drill probe of run ${owner.runId} for ${owner.resourceId} (${marks(item)})`,
    ref.tableName,
  );
}

/**
 * Deletes the probe while it is still this run's: "deleted", or "gone" when it had already
 * disappeared. An item that changed owner in between is refused.
 */
export async function deleteProbe(
  dynamodb: DatabaseClients['dynamodb'],
  ref: TableRef,
  key: Record<string, AttributeValue>,
  owner: ProbeOwner,
): Promise<'deleted' | 'gone'> {
  const own = ownedBy(owner);
  const remove = async (): Promise<'deleted' | 'gone'> => {
    try {
      await dynamodb.send(
        new DeleteItemCommand({
          TableName: ref.tableName,
          Key: key,
          ConditionExpression: own.condition,
          ExpressionAttributeNames: own.names,
          ExpressionAttributeValues: own.values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'deleted' as const;
    } catch (error) {
      const failed = conditionFailure(error);
      if (!failed) throw error;
      if (!failed.item) return 'gone' as const;
      requireOwnProbe(failed.item, ref, key, owner);
      throw error; // ours, yet the condition failed: not a state the delete can explain
    }
  };
  return tableCall(ref, 'delete the drill probe item', 'dynamodb:DeleteItem', remove, ITEM_CONDITION_HINT);
}
