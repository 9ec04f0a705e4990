// The dynamodb-global-table type's reads of its table (DescribeTable in the recovery region), what
// the table's replicas say about a failover, the drill probe's key, and how its DynamoDB calls
// classify errors: a missing table or a denied call names the plan field and what to do.
import {
  type AttributeValue,
  DescribeTableCommand,
  type ReplicaDescription,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { awsCall, awsErrorName } from '../shared/aws-errors.ts';
import { AccessDeniedError, TableNotFoundError } from '../shared/errors.ts';
import type { ResourceEvent } from '../shared/step-contract.ts';
import type { DatabaseClients } from './clients.ts';
import { fieldPath } from './state.ts';

/** DynamoDB's answer for a table that does not exist (or is not ACTIVE enough to use, for item calls). */
export const TABLE_NOT_FOUND = ['ResourceNotFoundException'] as const;

/** The version of global tables this type supports (DescribeTable's GlobalTableVersion). */
export const GLOBAL_TABLE_VERSION = '2019.11.21';

/** The table a dynamodb-global-table resource names, where it is read, and its plan field. */
export interface TableRef {
  tableName: string;
  /** The recovery region: every call of this type goes there. */
  region: string;
  primaryRegion: string;
  /** `resources[i].tableName`, named in error messages. */
  path: string;
}

export function tableRefOf(event: ResourceEvent<{ tableName: string }>): TableRef {
  return {
    tableName: event.resource.tableName,
    region: event.plan.regions.recovery,
    primaryRegion: event.plan.regions.primary,
    path: fieldPath(event, 'tableName'),
  };
}

/** What to do when the table is missing from the recovery region. */
export function missingTableFix(ref: TableRef): string {
  return `add a ${ref.region} replica to the global table (UpdateTable ReplicaUpdates Create RegionName ${ref.region}, sent in ${ref.primaryRegion}) or fix ${ref.path}`;
}

/**
 * One DynamoDB call on the table: a ResourceNotFoundException becomes a TableNotFoundError and an
 * access denial names the IAM action and the plan field; throttling and 5xx stay transient.
 */
export async function tableCall<T>(
  ref: TableRef,
  operation: string,
  iamAction: string,
  call: () => Promise<T>,
  /** Said after the fix when access is denied, e.g. a condition the role's policy puts on the call. */
  deniedHint = '',
): Promise<T> {
  const resource = `DynamoDB table ${ref.tableName} in ${ref.region} (${ref.path})`;
  try {
    return await awsCall({ resource, operation }, async () => {
      try {
        return await call();
      } catch (error) {
        if (!TABLE_NOT_FOUND.includes(awsErrorName(error) as (typeof TABLE_NOT_FOUND)[number])) throw error;
        throw new TableNotFoundError(
          `DynamoDB table ${ref.tableName} not found in ${ref.region} while trying to ${operation} (${(error as Error).message}): ${missingTableFix(ref)}`,
          ref.tableName,
          { cause: error },
        );
      }
    });
  } catch (error) {
    if (!(error instanceof AccessDeniedError)) throw error;
    throw new AccessDeniedError(
      `access denied to ${operation} on DynamoDB table ${ref.tableName} in ${ref.region} (${ref.path}): grant the database step role ${iamAction} on arn:aws:dynamodb:${ref.region}:<account>:table/${ref.tableName}, or fix ${ref.path}${deniedHint ? `; ${deniedHint}` : ''} (${(error.cause as Error | undefined)?.message ?? error.message})`,
      ref.tableName,
      { cause: error.cause ?? error },
    );
  }
}

/** The table as DescribeTable in the recovery region answers, or undefined when it does not exist. */
export async function findTable(
  dynamodb: DatabaseClients['dynamodb'],
  ref: TableRef,
): Promise<TableDescription | undefined> {
  try {
    const out = await tableCall(ref, 'describe the table', 'dynamodb:DescribeTable', () =>
      dynamodb.send(new DescribeTableCommand({ TableName: ref.tableName })),
    );
    return out.Table;
  } catch (error) {
    if (error instanceof TableNotFoundError) return undefined;
    throw error;
  }
}

/** The table, or TableNotFoundError saying why `purpose` needs it. */
export async function requireTable(
  dynamodb: DatabaseClients['dynamodb'],
  ref: TableRef,
  purpose: string,
): Promise<TableDescription> {
  const table = await findTable(dynamodb, ref);
  if (!table) {
    throw new TableNotFoundError(
      `DynamoDB table ${ref.tableName} not found in ${ref.region}: ${purpose}; ${missingTableFix(ref)}`,
      ref.tableName,
    );
  }
  return table;
}

/** The table's replica in `region`, as its Replicas list names it. */
export function replicaIn(table: TableDescription, region: string): ReplicaDescription | undefined {
  return table.Replicas?.find((replica) => replica.RegionName === region);
}

/** Statuses a table or replica leaves by itself, soon: a failover waits for ACTIVE. */
const SETTLING: ReadonlySet<string> = new Set(['CREATING', 'UPDATING']);

export type ReplicaReadiness =
  | { state: 'active'; detail: string }
  | { state: 'settling'; detail: string }
  | { state: 'unusable'; detail: string };

/**
 * Whether the recovery replica takes writes: the table described in the recovery region is that
 * replica, so its TableStatus must be ACTIVE, and so must its own entry in Replicas when the list
 * names the recovery region. CREATING and UPDATING settle by themselves; any other status
 * (DELETING, CREATION_FAILED, REGION_DISABLED, INACCESSIBLE_ENCRYPTION_CREDENTIALS, ARCHIVING,
 * ARCHIVED, REPLICATION_NOT_AUTHORIZED) needs someone's help.
 */
export function recoveryReplicaReadiness(table: TableDescription, ref: TableRef): ReplicaReadiness {
  const tableStatus = table.TableStatus ?? 'unknown';
  const own = replicaIn(table, ref.region);
  const replicaStatus = own ? (own.ReplicaStatus ?? 'unknown') : undefined;
  const described =
    replicaStatus === undefined
      ? `table ${ref.tableName} in ${ref.region} is ${tableStatus}`
      : `table ${ref.tableName} in ${ref.region} is ${tableStatus}, its replica ${replicaStatus}`;
  const statuses = [tableStatus, ...(replicaStatus === undefined ? [] : [replicaStatus])];
  if (statuses.every((status) => status === 'ACTIVE')) return { state: 'active', detail: described };
  if (statuses.every((status) => status === 'ACTIVE' || SETTLING.has(status))) {
    return { state: 'settling', detail: `${described}: waiting for ACTIVE` };
  }
  const why = own?.ReplicaStatusDescription ? ` (${own.ReplicaStatusDescription})` : '';
  return {
    state: 'unusable',
    detail: `${described}${why}: it will not become ACTIVE by itself; investigate it in the DynamoDB console (encryption key, region, replica settings)`,
  };
}

/** The other replicas and their statuses, e.g. "us-east-1 ACTIVE", for messages. */
export function otherReplicas(table: TableDescription, region: string): string {
  const others = (table.Replicas ?? []).filter((replica) => replica.RegionName !== region);
  return others.length === 0
    ? 'no other replicas'
    : others.map((replica) => `${replica.RegionName} ${replica.ReplicaStatus ?? 'unknown'}`).join(', ');
}

/** The drill probe's key, or why the table's key schema cannot take one. */
export type ProbeKey = { key: Record<string, AttributeValue>; attributes: string[] } | { problem: string };

/**
 * Every key attribute of the table (partition and sort key) set to `value`: the probe key is a
 * string, so a number or binary key attribute cannot hold it.
 */
export function probeKeyOf(table: TableDescription, value: string, probePrefixPath: string): ProbeKey {
  const schema = table.KeySchema ?? [];
  const types = new Map((table.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]));
  const described = schema
    .map(
      (element) => `${element.AttributeName} (${element.KeyType} ${types.get(element.AttributeName) ?? '?'})`,
    )
    .join(', ');
  const notString = schema.filter((element) => types.get(element.AttributeName) !== 'S');
  if (schema.length === 0 || notString.length > 0) {
    return {
      problem: `the key schema of table ${table.TableName} is ${described || '(not described)'}: the drill writes a probe item whose keys are the string "<${probePrefixPath}>#<run id>#<resource id>", so every key attribute must be a string (S); ${notString.map((e) => e.AttributeName).join(', ') || 'the key'} is not. Drills of this resource cannot probe it (a failover needs no probe)`,
    };
  }
  const attributes = schema.map((element) => element.AttributeName as string);
  return {
    key: Object.fromEntries(attributes.map((name) => [name, { S: value }])),
    attributes,
  };
}
