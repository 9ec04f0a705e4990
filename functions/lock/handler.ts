// The lock's own Lambda: takes, releases and marks the plan's lock, and cleans up after a run that
// died. It alone may describe and stop the runbook's executions (its role says so).
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { clientsPerRegion } from '../shared/clients.ts';
import type { StepContext } from '../shared/step-contract.ts';
import { cleanUpDeadRun } from './cleanup.ts';
import { sfnExecutions } from './executions.ts';
import { acquireLock, type LockPorts, markAwaitingApproval, releaseLock } from './lock.ts';
import { type LockEvent, parseLockEvent } from './lock-event.ts';

const logger = new Logger({ serviceName: 'dr-runbook', persistentKeys: { family: 'lock' } });

const clientsFor = clientsPerRegion((config) => ({
  dynamo: new DynamoDBClient(config),
  sfn: new SFNClient(config),
}));

function tableName(): string {
  const name = process.env.HISTORY_TABLE_NAME;
  if (!name)
    throw new Error(
      'environment variable HISTORY_TABLE_NAME is not set: deploy the function with the DisasterRecoveryRunbook construct',
    );
  return name;
}

/** Runs one lock action; exported for the local runner and tests. */
export async function runLockAction(event: LockEvent, context: StepContext = { now: () => new Date() }) {
  const clients = clientsFor(event.plan.regions.recovery);
  const ports: LockPorts = {
    dynamo: clients.dynamo,
    tableName: tableName(),
    executions: sfnExecutions(clients.sfn),
  };
  switch (event.action) {
    case 'acquire-lock':
      return acquireLock(event.plan, event.run, ports, context.now());
    case 'approval-granted':
      return markAwaitingApproval(event.plan, event.run, false, ports);
    case 'release-lock': {
      if (event.run.mode === 'dry-run') return { released: false, detail: 'a dry-run takes no lock' };
      const recovered = event.outcome.verification !== undefined && event.outcome.failure === undefined;
      return releaseLock(event.plan, event.run, recovered, ports, context.now());
    }
    case 'cleanup':
      return cleanUpDeadRun(event.plan, event.run, event.stateMachineArn, ports, context.now());
  }
}

export const handler = middy(async (raw: unknown) => {
  const event = parseLockEvent(raw);
  logger.appendKeys({ plan: event.plan.name, action: event.action, runId: event.run.id });
  const result = await runLockAction(event);
  logger.info(`lock ${event.action}`, { result });
  return result;
}).use(injectLambdaContext(logger, { clearState: true }));
