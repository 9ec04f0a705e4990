// What each Task state does when the runbook runs locally: Lambda tasks call the real handler
// in-process; DynamoDB tasks send the same request through the SDK. Errors take the shape Step
// Functions gives them (Error = the Lambda's errorType or "DynamoDB.<code>", Cause = the details).
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { STEP_TIMEOUT_SECONDS } from '../functions/shared/step-contract.ts';
import type { AslDefinition, ExtractedRunbook } from './extract-definition.ts';
import { taskStates } from './extract-definition.ts';
import { localLambdaContext } from './lambda-context.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type LocalTaskHandler = (input: JsonValue) => Promise<JsonValue>;

/** A Lambda handler as the runtime calls it. */
export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** Raised to Step Functions as a Lambda function error: Error = errorType, Cause = JSON payload. */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, errorMessage: string) {
    super(JSON.stringify({ errorType, errorMessage }));
    this.name = errorType;
  }
}

/** Raised as a service integration error, e.g. DynamoDB.ConditionalCheckFailedException. */
export class ServiceIntegrationError extends Error {
  constructor(service: string, code: string, message: string) {
    super(message);
    this.name = `${service}.${code}`;
  }
}

/** A handler still running after the step timeout fails as Lambda's runtime says: Sandbox.Timedout. */
function withinTimeout<T>(work: Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new LambdaFunctionError('Sandbox.Timedout', `Task timed out after ${seconds.toFixed(2)} seconds`),
        ),
      seconds * 1000,
    );
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function lambdaTask(family: string, handler: LambdaHandler): LocalTaskHandler {
  return async (input) => {
    const invocation = (async () => {
      try {
        return (await handler(input, localLambdaContext(`dr-runbook-${family}`))) as JsonValue;
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        throw new LambdaFunctionError(err.name || 'Error', err.message);
      }
    })();
    return withinTimeout(invocation, STEP_TIMEOUT_SECONDS);
  };
}

// The Task's Parameters are the API request itself.
const DYNAMODB_ACTIONS: Record<string, (dynamo: DynamoDBClient, input: never) => Promise<object>> = {
  putItem: (dynamo, input) => dynamo.send(new PutItemCommand(input)),
  getItem: (dynamo, input) => dynamo.send(new GetItemCommand(input)),
  updateItem: (dynamo, input) => dynamo.send(new UpdateItemCommand(input)),
  deleteItem: (dynamo, input) => dynamo.send(new DeleteItemCommand(input)),
};

function dynamoTask(action: string, dynamo: DynamoDBClient): LocalTaskHandler {
  const send = DYNAMODB_ACTIONS[action];
  if (!send) throw new Error(`no local implementation of dynamodb:${action}`);
  return async (input) => {
    try {
      const output = await send(dynamo, input as never);
      const { $metadata: _metadata, ...rest } = output as unknown as Record<string, unknown>;
      return rest as JsonValue;
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      throw new ServiceIntegrationError('DynamoDB', err.name, err.message);
    }
  };
}

export interface TaskHandlerOptions {
  readonly extracted: ExtractedRunbook;
  /** The real handler of each family (database, compute, traffic, runbook). */
  readonly lambdaHandlers: Record<string, LambdaHandler>;
  readonly dynamo: DynamoDBClient;
  /** Replaces particular states (e.g. WaitForApproval, which waits for a person). */
  readonly stateOverrides?: Record<string, LocalTaskHandler>;
}

/** One local handler per Task state of the definition, found by walking it (branches included). */
export function localTaskHandlers(options: TaskHandlerOptions): Record<string, LocalTaskHandler> {
  const { extracted, lambdaHandlers, dynamo, stateOverrides = {} } = options;
  const handlers: Record<string, LocalTaskHandler> = {};
  for (const [name, state] of Object.entries(taskStates(extracted.definition as AslDefinition))) {
    const override = stateOverrides[name];
    if (override) {
      handlers[name] = override;
      continue;
    }
    const resource = state.Resource ?? '';
    const family = extracted.familyByFunctionArn[resource];
    if (family) {
      const handler = lambdaHandlers[family];
      if (!handler) throw new Error(`no handler given for the ${family} function (state ${name})`);
      handlers[name] = lambdaTask(family, handler);
      continue;
    }
    const dynamoAction = /^arn:aws:states:::dynamodb:(\w+)$/.exec(resource)?.[1];
    if (dynamoAction) {
      handlers[name] = dynamoTask(dynamoAction, dynamo);
      continue;
    }
    throw new Error(`state ${name}: no local implementation of ${resource}; pass one in stateOverrides`);
  }
  return handlers;
}
